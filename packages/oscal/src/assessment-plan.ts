import type { ApprovedScopeInput, ScopeRequirementInput, ToeInput } from './bundle-input.ts';
import { assessmentServiceComponent, assessmentServiceUuid, toeComponentUuid } from './components.ts';
import { requirementControlId } from './control-ids.ts';
import { documentMetadata, toeProps } from './metadata.ts';
import { documentUuid, oscalProp, prop, uuidV5 } from './oscal-text.ts';
import { atFrequency, durationMs, viewRule } from './rule-text.ts';
import { SSP_FILE } from './system-security-plan.ts';

export const AP_FILE = 'assessment-plan.json';

export const activityUuid = (toeId: string, scopeVersion: number, requirementId: string) =>
  uuidV5(`ap:activity:${toeId}:${scopeVersion}:${requirementId}`);
export const taskUuid = (toeId: string, scopeVersion: number, requirementId: string) =>
  uuidV5(`ap:task:${toeId}:${scopeVersion}:${requirementId}`);

/**
 * How often a requirement is evaluated on a schedule besides on each arriving evidence: the expected frequency of
 * its measurement when the scope states one, else its freshness window (a stale requirement is re-evaluated then).
 */
export function evaluationFrequency(scope: ApprovedScopeInput, requirement: ScopeRequirementInput) {
  const measurement = (scope.document.measurements ?? []).find((entry) => entry.requirementId === requirement.id);
  const expected = durationMs(measurement?.expectedFrequency);
  if (measurement && expected) {
    return { ms: expected, duration: measurement.expectedFrequency, source: 'the expected frequency of its evidence' };
  }
  const fresh = durationMs(requirement.freshness);
  if (fresh && requirement.freshness) {
    return { ms: fresh, duration: requirement.freshness, source: 'its freshness window' };
  }
  return undefined;
}

export interface AssessmentPlanInput {
  toe: ToeInput;
  scope: ApprovedScopeInput;
  lastModified: string;
  version: string;
}

/**
 * The approved scope as an assessment plan: every requirement a reviewed control; its rule (with thresholds) an
 * activity using the TEST method; its evaluation (on each evidence, and at its frequency) a task on the ToE.
 */
export function assessmentPlan({ toe, scope, lastModified, version }: AssessmentPlanInput) {
  const subject = {
    type: 'component',
    'include-subjects': [{ 'subject-uuid': toeComponentUuid(toe.id), type: 'component' }],
  };
  const controls = scope.document.requirements.map((requirement) => ({
    'control-id': requirementControlId(requirement.id),
  }));
  const activities = scope.document.requirements.map((requirement) => {
    const rule = viewRule(requirement.rule);
    const id = activityUuid(toe.id, scope.version, requirement.id);
    return {
      uuid: id,
      title: `Evaluate ${requirement.id}: ${requirement.title}`,
      description: `Compliant when ${rule.text}. Pending (no evidence yet) and error (cannot be evaluated) never pass.`,
      props: [
        oscalProp('method', 'TEST'),
        ...prop('rule-type', rule.type),
        ...prop('rule', rule.json),
        ...rule.parameters.flatMap((parameter) => prop(`rule-${parameter.name}`, parameter.value)),
        ...rule.kinds.flatMap((kind) => prop('evidence-kind', kind)),
        ...prop('freshness', requirement.freshness),
      ],
      steps: [
        {
          uuid: uuidV5(`ap:step:${id}:verify`),
          title: 'Verify the evidence',
          description:
            `Evidence of kind ${rule.kinds.join(', ') || 'any'} is accepted only when its DSSE signature verifies ` +
            'against a collector key of the approved scope; it is appended to the Merkle evidence ledger and a ' +
            'signed ' +
            'receipt is returned.',
        },
        {
          uuid: uuidV5(`ap:step:${id}:evaluate`),
          title: 'Evaluate the rule',
          description: `The rule ${rule.json} is evaluated on the newest verified evidence; each result is kept.`,
        },
      ],
      'related-controls': {
        'control-selections': [{ 'include-controls': [{ 'control-id': requirementControlId(requirement.id) }] }],
      },
      'responsible-roles': [{ 'role-id': 'assessor' }],
    };
  });
  const tasks = scope.document.requirements.map((requirement) => {
    const frequency = evaluationFrequency(scope, requirement);
    return {
      uuid: taskUuid(toe.id, scope.version, requirement.id),
      type: 'action',
      title: `Evaluate ${requirement.id} continuously`,
      description:
        `On each verified evidence the rule reads` +
        `${frequency ? `, and at least every ${frequency.duration} (${frequency.source})` : ''}, from the scope's ` +
        `approval (${new Date(scope.approvedAt).toISOString()}) for as long as the version is in force.`,
      props: [...prop('trigger', 'evidence-arrival'), ...(frequency ? prop('trigger', 'schedule') : [])],
      ...(frequency ? { timing: { 'at-frequency': atFrequency(frequency.ms) } } : {}),
      'associated-activities': [
        { 'activity-uuid': activityUuid(toe.id, scope.version, requirement.id), subjects: [subject] },
      ],
      subjects: [subject],
      'responsible-roles': [{ 'role-id': 'assessor' }],
    };
  });
  const body = {
    metadata: documentMetadata({
      title: `Assessment plan: ${toe.name}, scope version ${scope.version}`,
      lastModified,
      version,
      org: toe.org,
      props: toeProps(toe.id, scope.version, scope.digest),
    }),
    'import-ssp': { href: SSP_FILE },
    'local-definitions': { activities },
    'terms-and-conditions': {
      parts: [
        {
          name: 'methodology',
          title: 'Continuous auditing based certification',
          prose:
            'The auditor approved this scope; from then on every evidence the auditee’s pipelines deliver is ' +
            'verified, kept in an append-only Merkle ledger and evaluated at once. The certification body acts on ' +
            'the auditor’s ' +
            'signed posture callbacks: it issues, suspends, reinstates or revokes the certificate.',
        },
      ],
    },
    'reviewed-controls': {
      description: `Every requirement of the approved scope, version ${scope.version}.`,
      'control-selections': [{ 'include-controls': controls }],
    },
    'assessment-subjects': [subject],
    'assessment-assets': {
      components: [assessmentServiceComponent()],
      'assessment-platforms': [
        {
          uuid: uuidV5(`ap:platform:${toe.org}`),
          title: 'CABC continuous assessment',
          'uses-components': [{ 'component-uuid': assessmentServiceUuid() }],
        },
      ],
    },
    tasks,
  };
  return { 'assessment-plan': { uuid: documentUuid('ap', body), ...body } };
}
