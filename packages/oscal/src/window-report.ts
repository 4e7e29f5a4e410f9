import type {
  EvidenceInput,
  RequirementStatus,
  ScopeRequirementInput,
  ScopeRiskInput,
  ToeInput,
} from './bundle-input.ts';
import { anomalyObservation, type AnomalyObservationInput } from './anomaly-observation.ts';
import { assessmentServiceComponent, toeComponentUuid } from './components.ts';
import { requirementControlId } from './control-ids.ts';
import { evidenceObservation, toolComponents } from './evidence-observation.ts';
import { partiesOf } from './metadata.ts';
import { documentUuid, iso, OSCAL_VERSION, oscalToken, prop, riskStatement, str, uuidV5 } from './oscal-text.ts';

/** The assessment service's report of one window (its reporting module builds it from its database). */
export interface WindowReportData {
  generatedAt: Date;
  window: { from: Date; to: Date };
  toe: Pick<ToeInput, 'id' | 'org' | 'name' | 'businessPurpose' | 'fieldOfOperation' | 'riskClass' | 'artifacts'>;
  scope: { version: number; digest: string; risks: ScopeRiskInput[] } | null;
  posture: { posture: string; sequence: number };
  requirements: WindowRequirementReport[];
  evidence: EvidenceInput[];
  certificates: { certificates: { id: string; status: string }[] };
  audit: {
    id: number;
    actor: string;
    role: string;
    action: string;
    entity: string;
    comment: string | null;
    at: Date;
  }[];
  /** The anomaly observations raised in the window (docs/anomalies.md). */
  observations?: AnomalyObservationInput[] | undefined;
}

export interface WindowRequirementReport {
  requirement: Omit<ScopeRequirementInput, 'rule'>;
  /** The result in force at the end of the window. */
  final: { status: RequirementStatus; evaluatedAt: Date; reason: string; evidenceIds: string[] } | undefined;
  counts: Record<RequirementStatus, number>;
  changes: { at: Date; from: RequirementStatus | null; to: RequirementStatus; reason: string }[];
  failingEvidenceIds: string[];
}

export const OSCAL_AR_MEDIA_TYPE = 'application/oscal.ar+json';

/**
 * One window of the ToE's assessment as OSCAL assessment results (GET /v1/toes/:id/reports/oscal-ar): one result
 * whose observations are the verified evidence received (each linked, with its SHA-256, to the exact DSSE envelope
 * in back-matter), whose findings are the approved scope's requirements with the result in force at the end of the
 * window, and whose risks are the requirements that were non-compliant in it (open while still non-compliant).
 * Standalone: its import-ap names the scope's API resource; the full bundle (buildOscalBundle) carries the plan.
 */
export function toOscalAssessmentResults(data: WindowReportData, links: { base: string }): Record<string, unknown> {
  const toeComponent = toeComponentUuid(data.toe.id);
  const parties = partiesOf(data.toe.org);
  const observed = new Set(data.evidence.map((evidence) => evidence.id));
  const observationLinks = { toeId: data.toe.id, toeName: data.toe.name, base: links.base, ledgerAndReceipt: false };
  const built = data.evidence.map((evidence) => evidenceObservation(evidence, observationLinks));
  const observations = [
    ...built.map((entry) => entry.observation),
    ...(data.observations ?? []).map((entry) => anomalyObservation(entry, data.toe, { base: links.base, observed })),
  ];

  const risks = data.requirements
    .filter((report) => report.counts.non_compliant > 0 || report.final?.status === 'non_compliant')
    .map((report) => risk(report, data, observed));
  const riskOf = new Map(risks.map((entry) => [entry.requirementId, entry.risk.uuid]));
  const findings = data.requirements.map((report) =>
    finding(report, data, observed, riskOf.get(report.requirement.id)),
  );

  const controls = [...new Set(data.requirements.flatMap((report) => report.requirement.controls ?? []))];
  const components = [
    {
      uuid: toeComponent,
      type: 'this-system',
      title: data.toe.name,
      description: str(
        `${data.toe.businessPurpose} ` +
          `(field of operation: ${data.toe.fieldOfOperation}; risk class: ${data.toe.riskClass})`,
      )!,
      props: [
        ...prop('toe-id', data.toe.id),
        ...prop('risk-class', data.toe.riskClass),
        ...data.toe.artifacts.models.flatMap((model) => prop('model-sha256', `${model.name}@sha256:${model.sha256}`)),
        ...data.toe.artifacts.datasets.flatMap((dataset) =>
          prop('dataset-sha256', `${dataset.name}@sha256:${dataset.sha256}`),
        ),
      ],
      status: { state: 'operational' },
    },
    assessmentServiceComponent(),
    ...toolComponents(data.evidence),
  ];

  const logEntries = [
    ...data.audit.map((event) => ({
      uuid: uuidV5(`audit:${data.toe.org}:${event.id}`),
      title: `${event.action} ${event.entity}`,
      description: str(
        `${event.actor} (${event.role}): ${event.action} on ${event.entity}` +
          `${event.comment ? ` — ${event.comment}` : ''}`,
      )!,
      start: iso(event.at),
      props: prop('actor', event.actor),
    })),
    ...data.requirements.flatMap((report) =>
      report.changes.map((change) => ({
        uuid: uuidV5(`change:${data.toe.id}:${report.requirement.id}:${change.at.toISOString()}:${change.to}`),
        title: `${report.requirement.id}: ${change.from ?? 'none'} → ${change.to}`,
        description: str(change.reason) ?? `${report.requirement.id} became ${change.to}`,
        start: iso(change.at),
        props: prop('requirement-id', report.requirement.id),
      })),
    ),
  ].sort((a, b) => a.start.localeCompare(b.start));

  const resultProps = [
    ...prop('posture', data.posture.posture),
    ...prop('posture-sequence', data.posture.sequence),
    ...prop('scope-version', data.scope?.version),
    ...prop('scope-digest', data.scope?.digest),
    ...data.certificates.certificates.flatMap((certificate) =>
      prop('certificate-status', `${certificate.id}: ${certificate.status}`),
    ),
  ];
  const result = {
    uuid: uuidV5(`window-result:${data.toe.id}:${iso(data.window.from)}:${iso(data.window.to)}`),
    title: `Continuous assessment of ${data.toe.name}, ${iso(data.window.from)} – ${iso(data.window.to)}`,
    description:
      'Evidence received and requirement results of the approved scope' +
      `${data.scope ? ` (version ${data.scope.version}, digest ${data.scope.digest})` : ''} ` +
      `for the window. Posture at the time of the export: ${data.posture.posture}.`,
    start: iso(data.window.from),
    end: iso(data.window.to),
    ...(resultProps.length > 0 ? { props: resultProps } : {}),
    'local-definitions': { components },
    'reviewed-controls': {
      description:
        controls.length > 0
          ? `Controls the approved scope maps its requirements to: ${controls.join(', ')}.`
          : 'The approved scope names no catalog controls.',
      'control-selections': [
        controls.length > 0
          ? { 'include-controls': controls.map((control) => ({ 'control-id': oscalToken(control) })) }
          : { 'include-all': {} },
      ],
    },
    ...(logEntries.length > 0 ? { 'assessment-log': { entries: logEntries } } : {}),
    ...(observations.length > 0 ? { observations } : {}),
    ...(risks.length > 0 ? { risks: risks.map((entry) => entry.risk) } : {}),
    ...(findings.length > 0 ? { findings } : {}),
  };
  const resources = built.flatMap((entry) => entry.resources);
  const toe = encodeURIComponent(data.toe.id);
  const body = {
    metadata: {
      title: `CABC assessment results: ${data.toe.name}`,
      'last-modified': iso(data.generatedAt),
      version: `${data.toe.id}-${data.generatedAt.toISOString().replace(/[:.]/g, '')}`,
      'oscal-version': OSCAL_VERSION,
      props: [
        ...prop('toe-id', data.toe.id),
        ...prop('window-start', iso(data.window.from)),
        ...prop('window-end', iso(data.window.to)),
      ],
      roles: [
        { id: 'assessor', title: 'Auditor (CABC assessment)' },
        { id: 'system-owner', title: 'Auditee (owner of the ML system)' },
      ],
      parties: [
        { uuid: parties.auditee, type: 'organization', name: data.toe.org },
        { uuid: parties.auditor, type: 'organization', name: `Auditor of ${data.toe.org}` },
      ],
      'responsible-parties': [
        { 'role-id': 'system-owner', 'party-uuids': [parties.auditee] },
        { 'role-id': 'assessor', 'party-uuids': [parties.auditor] },
      ],
    },
    'import-ap': {
      href: data.scope
        ? `${links.base}/v1/toes/${toe}/scopes/${data.scope.version}`
        : `${links.base}/v1/toes/${toe}/scopes`,
      remarks: data.scope
        ? `The assessment plan is the approved CABC scope, version ${data.scope.version} (SHA-256 of its ` +
          `canonical JSON: ${data.scope.digest}); the OSCAL bundle carries it as an OSCAL assessment plan.`
        : 'The ToE has no approved scope yet.',
    },
    results: [result],
    ...(resources.length > 0 ? { 'back-matter': { resources } } : {}),
  };
  return { 'assessment-results': { uuid: documentUuid('window-ar', body), ...body } };
}

function finding(
  report: WindowRequirementReport,
  data: WindowReportData,
  observed: Set<string>,
  riskUuid: string | undefined,
) {
  const final = report.final;
  const satisfied = final?.status === 'compliant';
  const related = (final?.evidenceIds ?? []).filter((id) => observed.has(id));
  const requirement = report.requirement;
  return {
    uuid: uuidV5(`finding:${data.toe.id}:${requirement.id}:${iso(data.window.from)}:${iso(data.window.to)}`),
    title: `${requirement.id}: ${requirement.title}`,
    description:
      `${
        final
          ? `At the end of the window the requirement was ${final.status} ` +
            `(evaluated ${iso(final.evaluatedAt)}): ${final.reason}.`
          : 'The requirement was not evaluated by the end of the window.'
      } ` +
      `Evaluations in the window: ${report.counts.compliant} compliant, ${report.counts.non_compliant} ` +
      `non-compliant, ${report.counts.pending} pending, ${report.counts.error} error.`,
    props: [
      ...prop('requirement-id', requirement.id),
      ...prop('requirement-status', final?.status ?? 'pending'),
      ...prop('severity', requirement.severity),
      ...prop('critical', requirement.critical ?? false),
      ...(requirement.controls ?? []).flatMap((control) => prop('control', control)),
      ...prop('evaluations-non-compliant', report.counts.non_compliant),
    ],
    target: {
      type: 'objective-id',
      'target-id': requirementControlId(requirement.id),
      title: requirement.title,
      ...(str(requirement.description) ? { description: str(requirement.description) } : {}),
      status: {
        state: satisfied ? 'satisfied' : 'not-satisfied',
        reason: satisfied ? 'pass' : final?.status === 'non_compliant' ? 'fail' : 'other',
        ...(final && !satisfied && final.status !== 'non_compliant'
          ? { remarks: `Status ${final.status}: couldn't measure is never passed.` }
          : {}),
      },
    },
    ...(related.length > 0
      ? { 'related-observations': related.map((id) => ({ 'observation-uuid': uuidV5(`observation:${id}`) })) }
      : {}),
    ...(riskUuid ? { 'related-risks': [{ 'risk-uuid': riskUuid }] } : {}),
  };
}

function risk(report: WindowRequirementReport, data: WindowReportData, observed: Set<string>) {
  const requirement = report.requirement;
  const mitigated = data.scope?.risks.filter((entry) => (requirement.mitigates ?? []).includes(entry.id)) ?? [];
  const open = report.final?.status === 'non_compliant';
  const related = report.failingEvidenceIds.filter((id) => observed.has(id));
  const firstFailure = report.changes.find((change) => change.to === 'non_compliant');
  return {
    requirementId: requirement.id,
    risk: {
      uuid: uuidV5(`risk:${data.toe.id}:${requirement.id}:${iso(data.window.from)}:${iso(data.window.to)}`),
      title: `Non-compliance with ${requirement.id}: ${requirement.title}`,
      description:
        `The requirement was non-compliant in ${report.counts.non_compliant} evaluation(s) in the window` +
        `${firstFailure ? `, first at ${iso(firstFailure.at)} (${firstFailure.reason})` : ''}; ` +
        `${open ? 'it still is at the end of the window' : 'it was compliant again by the end of the window'}.`,
      statement: riskStatement(mitigated, requirement.severity),
      props: [
        ...prop('requirement-id', requirement.id),
        ...prop('severity', requirement.severity),
        ...prop('critical', requirement.critical ?? false),
        ...mitigated.flatMap((entry) => prop('scope-risk', entry.id)),
      ],
      status: open ? 'open' : 'closed',
      ...(related.length > 0
        ? { 'related-observations': related.map((id) => ({ 'observation-uuid': uuidV5(`observation:${id}`) })) }
        : {}),
    },
  };
}
