import type { ApprovedScopeInput, EvidenceInput, OscalBundleInput, ScopeRequirementInput } from './bundle-input.ts';
import { AP_FILE, taskUuid } from './assessment-plan.ts';
import { requirementControlId, objectivePartId } from './control-ids.ts';
import {
  evaluationWindows,
  isFailing,
  postureOf,
  requirementInWindow,
  type EvaluationWindow,
  type RequirementInWindow,
} from './evaluation-windows.ts';
import { anomalyObservation } from './anomaly-observation.ts';
import { collectorComponentUuid } from './components.ts';
import { evidenceObservation, manualFindingObservation, observationUuid } from './evidence-observation.ts';
import { documentMetadata, toeProps } from './metadata.ts';
import { documentUuid, iso, prop, riskStatement, uuidV5 } from './oscal-text.ts';
import { durationMs, viewRule } from './rule-text.ts';
import { implementationStatementUuid } from './system-security-plan.ts';

export const AR_FILE = 'assessment-results.json';

export type AssessmentResultsInput = Pick<
  OscalBundleInput,
  'toe' | 'scope' | 'results' | 'evidence' | 'findings' | 'observations' | 'certificate' | 'assessmentUrl'
> & {
  period: { from: Date; to: Date };
  windowMs: number;
  lastModified: string;
  version: string;
};

/** A failing requirement of one window: its finding and risk, and the observations they rest on. */
export interface FailingRequirement {
  requirement: ScopeRequirementInput;
  window: EvaluationWindow;
  state: RequirementInWindow;
  finding: Record<string, unknown> & { uuid: string };
  risk: Record<string, unknown> & { uuid: string };
  observationUuids: string[];
}

const windowKey = (window: EvaluationWindow) => iso(window.start);

/** The shortest freshness window of the requirements that read a kind: past it, its evidence stops counting. */
function expiryOf(scope: ApprovedScopeInput) {
  const byKind = new Map<string, number>();
  for (const requirement of scope.document.requirements) {
    const rule = viewRule(requirement.rule);
    const windows = [
      durationMs(requirement.freshness),
      rule.rule?.type === 'freshness' ? durationMs(rule.rule.maxAge) : undefined,
    ];
    for (const ms of windows) {
      if (ms === undefined) continue;
      for (const kind of rule.kinds) byKind.set(kind, Math.min(byKind.get(kind) ?? Number.POSITIVE_INFINITY, ms));
    }
  }
  return (evidence: EvidenceInput) => {
    const ms = byKind.get(evidence.kind);
    return ms === undefined ? undefined : new Date(new Date(evidence.observedAt).getTime() + ms);
  };
}

function failingRequirement(
  input: AssessmentResultsInput,
  requirement: ScopeRequirementInput,
  window: EvaluationWindow,
  state: RequirementInWindow,
  observed: ReadonlySet<string>,
): FailingRequirement {
  const { toe, scope } = input;
  const key = `${toe.id}:${scope.version}:${requirement.id}:${windowKey(window)}`;
  const open = isFailing(state.final);
  const evidenceIds = [...new Set(state.failures.flatMap((result) => result.evidenceIds))].filter((id) =>
    observed.has(id),
  );
  const observationUuids = evidenceIds.map(observationUuid);
  const first = state.failures[0]!;
  const recovered = state.results.find(
    (result) => Date.parse(result.evaluatedAt) > Date.parse(first.evaluatedAt) && !isFailing(result),
  );
  const risks = scope.document.risks.filter((risk) => (requirement.mitigates ?? []).includes(risk.id));
  const riskUuid = uuidV5(`ar:risk:${key}`);
  const related =
    observationUuids.length > 0
      ? { 'related-observations': observationUuids.map((uuid) => ({ 'observation-uuid': uuid })) }
      : {};
  const deadline =
    open && input.certificate?.state === 'suspended' && input.certificate.graceEndsAt
      ? iso(input.certificate.graceEndsAt)
      : undefined;
  const finding = {
    uuid: uuidV5(`ar:finding:${key}`),
    title: `${requirement.id} not met: ${requirement.title}`,
    description:
      `${state.failures.length} result(s) in force in the window failed, the first ${first.status} at ` +
      `${iso(first.evaluatedAt)} (${first.reason}). ` +
      (open
        ? `At the end of the window it was ${state.final!.status}: ${state.final!.reason}.`
        : `It was ${state.final?.status ?? 'pending'} again by the end of the window` +
          `${recovered ? ` (from ${iso(recovered.evaluatedAt)})` : ''}.`),
    props: [
      ...prop('requirement-id', requirement.id),
      ...prop('requirement-status', state.final?.status ?? 'pending'),
      ...prop('severity', requirement.severity),
      ...prop('critical', requirement.critical ?? false),
      ...prop('failed-results', state.failures.length),
    ],
    origins: [
      {
        actors: [{ type: 'assessment-platform', 'actor-uuid': uuidV5(`ap:platform:${toe.org}`) }],
        'related-tasks': [{ 'task-uuid': taskUuid(toe.id, scope.version, requirement.id) }],
      },
    ],
    target: {
      type: 'objective-id',
      'target-id': objectivePartId(requirementControlId(requirement.id)),
      title: requirement.title,
      status: {
        state: 'not-satisfied',
        reason: state.failures.some((result) => result.status === 'non_compliant') ? 'fail' : 'other',
        ...(open ? {} : { remarks: 'Compliant again by the end of the window.' }),
      },
    },
    'implementation-statement-uuid': implementationStatementUuid(toe.id, scope.version, requirement.id),
    ...related,
    'related-risks': [{ 'risk-uuid': riskUuid }],
  };
  const risk = {
    uuid: riskUuid,
    title: `Non-compliance with ${requirement.id}: ${requirement.title}`,
    description:
      `The requirement failed in the window from ${iso(window.start)} to ${iso(window.end)}; ` +
      `${open ? 'it still does at the end of the window' : 'it was met again by the end of the window'}.`,
    statement: riskStatement(risks, requirement.severity),
    props: [
      ...prop('requirement-id', requirement.id),
      ...prop('severity', requirement.severity),
      ...prop('critical', requirement.critical ?? false),
      ...risks.flatMap((entry) => prop('scope-risk', entry.id)),
    ],
    status: open ? 'open' : 'closed',
    ...(deadline ? { deadline } : {}),
    ...related,
  };
  return { requirement, window, state, finding, risk, observationUuids };
}

/**
 * The continuous assessment as OSCAL assessment results importing the assessment plan: one result per evaluation
 * window, each evidence received in it an observation, each requirement that failed in it a finding with its risk.
 */
export function assessmentResults(input: AssessmentResultsInput) {
  const { toe, scope } = input;
  const windows = evaluationWindows(input.period.from, input.period.to, input.windowMs);
  const received = (evidence: EvidenceInput, window: EvaluationWindow) => {
    const at = new Date(evidence.receivedAt).getTime();
    return at >= window.start.getTime() && at < window.end.getTime();
  };
  const inPeriod = [...input.evidence].sort((a, b) => a.sequence - b.sequence);
  const observed = new Set(inPeriod.map((evidence) => evidence.id));
  // Gathered by the auditee's evidence collector (an SSP component); the producing tool is a property.
  const links = {
    toeId: toe.id,
    toeName: toe.name,
    base: input.assessmentUrl,
    ledgerAndReceipt: true,
    gatheredBy: collectorComponentUuid(toe.org),
    expires: expiryOf(scope),
  };
  const built = new Map(inPeriod.map((evidence) => [evidence.id, evidenceObservation(evidence, links)]));
  const failingByWindow: FailingRequirement[][] = [];
  const results: Record<string, unknown>[] = [];
  const controls = scope.document.requirements.map((requirement) => ({
    'control-id': requirementControlId(requirement.id),
  }));

  windows.forEach((window, index) => {
    const states = scope.document.requirements.map((requirement) => ({
      requirement,
      state: requirementInWindow(requirement.id, input.results, window),
    }));
    const evidence = inPeriod.filter((entry) => received(entry, window));
    const manual = input.findings.filter((finding) => {
      const at = Date.parse(finding.validFrom);
      return at >= window.start.getTime() && at < window.end.getTime();
    });
    const anomalies = (input.observations ?? []).filter((observation) => {
      const at = new Date(observation.createdAt).getTime();
      return at >= window.start.getTime() && at < window.end.getTime();
    });
    const failing = states
      .filter(({ state }) => state.failures.length > 0)
      .map(({ requirement, state }) => failingRequirement(input, requirement, window, state, observed));
    const evaluated = states.some(({ state }) => state.results.length > 0);
    const last = index === windows.length - 1;
    if (!last && evidence.length + manual.length + anomalies.length + failing.length === 0 && !evaluated) return;
    failingByWindow.push(failing);
    const satisfied = states.filter(({ state }) => state.failures.length === 0 && state.final?.status === 'compliant');
    const posture = postureOf(states.map(({ state }) => state.final?.status));
    const log = states
      .flatMap(({ requirement, state }) =>
        state.results
          .filter((result) => result.previousStatus !== result.status)
          .map((result) => ({
            uuid: uuidV5(`ar:log:${toe.id}:${requirement.id}:${result.id}`),
            title: `${requirement.id}: ${result.previousStatus ?? 'none'} → ${result.status}`,
            description: result.reason.trim() || `${requirement.id} became ${result.status}`,
            start: iso(result.evaluatedAt),
            props: [...prop('requirement-id', requirement.id), ...prop('result-id', result.id)],
          })),
      )
      .sort((a, b) => a.start.localeCompare(b.start) || a.uuid.localeCompare(b.uuid));
    const observations = [
      ...evidence.map((entry) => built.get(entry.id)!.observation),
      ...manual.map((finding) => manualFindingObservation(finding, toe)),
      ...anomalies.map((entry) => anomalyObservation(entry, toe, { base: input.assessmentUrl, observed })),
    ];
    results.push({
      uuid: uuidV5(`ar:result:${toe.id}:${scope.version}:${windowKey(window)}`),
      title: `Evaluation window ${iso(window.start)} – ${iso(window.end)}`,
      description:
        `Evidence received and requirement results of ${toe.name} (scope version ${scope.version}) in the window. ` +
        `Posture at its end: ${posture}.`,
      start: iso(window.start),
      end: iso(window.end),
      props: [
        ...prop('posture', posture),
        ...prop('evidence-received', evidence.length),
        ...prop(
          'evaluations',
          states.reduce((sum, { state }) => sum + state.results.length, 0),
        ),
      ],
      'reviewed-controls': { 'control-selections': [{ 'include-controls': controls }] },
      ...(log.length > 0 ? { 'assessment-log': { entries: log } } : {}),
      ...(observations.length > 0 ? { observations } : {}),
      ...(failing.length > 0
        ? { risks: failing.map((entry) => entry.risk), findings: failing.map((entry) => entry.finding) }
        : {}),
      remarks:
        satisfied.length > 0
          ? `Met throughout the window: ${satisfied.map(({ requirement }) => requirement.id).join(', ')}.`
          : 'No requirement was met throughout the window.',
    });
  });

  const resources = inPeriod.flatMap((evidence) => built.get(evidence.id)!.resources);
  const body = {
    metadata: documentMetadata({
      title: `Assessment results: ${toe.name}, scope version ${scope.version}`,
      lastModified: input.lastModified,
      version: input.version,
      org: toe.org,
      props: [
        ...toeProps(toe.id, scope.version, scope.digest),
        ...prop('period-start', iso(input.period.from)),
        ...prop('period-end', iso(input.period.to)),
      ],
    }),
    'import-ap': { href: AP_FILE },
    results,
    ...(resources.length > 0 ? { 'back-matter': { resources } } : {}),
  };
  return {
    document: { 'assessment-results': { uuid: documentUuid('ar', body), ...body } },
    /** The failing requirements of the last window, for the POA&M. */
    openAtEnd: (failingByWindow.at(-1) ?? []).filter((entry) => isFailing(entry.state.final)),
    observations: new Map([...built.values()].map(({ observation }) => [observation.uuid, observation])),
    resources: new Map([...built.values()].map(({ observation, resources }) => [observation.uuid, resources])),
  };
}
