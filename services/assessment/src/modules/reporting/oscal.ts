import { createHash, randomUUID } from 'node:crypto';
import type { ReportData, ReportEvidence, RequirementReport } from './report-data.ts';

/** OSCAL 1.1.2 assessment results (https://pages.nist.gov/OSCAL/reference/1.1.2/assessment-results/json-outline/). */
export const OSCAL_VERSION = '1.1.2';
export const OSCAL_MEDIA_TYPE = 'application/oscal.ar+json';
/** Namespace of CABC's own properties (OSCAL requires a namespace for properties it does not define). */
export const CABC_NS = 'https://cabc.dev/ns/oscal';

const NAMESPACE = 'b9f3f0a4-3c52-5e53-9a3c-6b0d7c1f2e10';

/** RFC 4122 name-based (SHA-1, version 5) UUID: the same subject gets the same UUID in every export. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An OSCAL token (XML NCName): letters, digits, `.`, `-`, `_`, starting with a letter or `_`. */
export function oscalToken(text: string): string {
  const cleaned = text.replace(/[^\p{L}\p{N}._-]/gu, '_');
  return /^(\p{L}|_)/u.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** OSCAL strings may not be empty nor start or end with white space. */
const str = (text: unknown): string | undefined => {
  const value = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return value.length > 0 ? value : undefined;
};

type Prop = { name: string; value: string; ns?: string; class?: string };
const prop = (name: string, value: unknown, cls?: string): Prop[] => {
  const text = str(value);
  return text === undefined ? [] : [{ name, ns: CABC_NS, value: text, ...(cls ? { class: oscalToken(cls) } : {}) }];
};
const nonEmpty = <T>(items: T[]): T[] | undefined => (items.length > 0 ? items : undefined);
const iso = (date: Date) => date.toISOString();

const measurementText = (evidence: ReportEvidence) =>
  evidence.measurements
    .slice(0, 20)
    .map(
      (m) =>
        `${m.name}${m.slice ? ` [${m.slice}]` : ''} = ${typeof m.value === 'string' ? JSON.stringify(m.value) : String(m.value)}${m.unit ? ` ${m.unit}` : ''}`,
    )
    .join('; ');

/**
 * The ToE's assessment over the window as OSCAL assessment results: one result whose observations are the verified
 * evidence received (each linked, with its SHA-256, to the exact DSSE envelope in back-matter), whose findings are the
 * approved scope's requirements with the result in force at the end of the window, and whose risks are the
 * requirements that were non-compliant in the window (open while still non-compliant, closed once compliant again).
 */
export function toOscalAssessmentResults(data: ReportData, links: { base: string }): unknown {
  const toeComponent = uuidV5(`toe:${data.toe.id}`);
  const auditorParty = uuidV5(`party:auditor:${data.toe.org}`);
  const auditeeParty = uuidV5(`party:auditee:${data.toe.org}`);
  const assessmentPlatform = uuidV5('component:cabc-assessment');
  const tools = new Map<string, string>();
  for (const evidence of data.evidence) {
    const tool = str(evidence.producer?.tool) ?? 'unknown-tool';
    if (!tools.has(tool)) tools.set(tool, uuidV5(`tool:${tool}`));
  }
  const resourceOf = (evidence: ReportEvidence) => uuidV5(`envelope:${evidence.id}`);
  const observed = new Set(data.evidence.map((evidence) => evidence.id));

  const observations = data.evidence.map((evidence) => ({
    uuid: uuidV5(`observation:${evidence.id}`),
    title: `${evidence.kind} evidence #${evidence.sequence}${evidence.producer?.tool ? ` from ${evidence.producer.tool}` : ''}`,
    description:
      `Signed ${evidence.kind} evidence (DSSE envelope, in-toto statement), verified against the collector key ${evidence.keyid} ` +
      `and recorded in the evidence ledger${evidence.logIndex !== null ? ` at index ${evidence.logIndex}` : ''}.` +
      (evidence.measurements.length > 0 ? ` Measurements: ${measurementText(evidence)}.` : '') +
      (evidence.checks.length > 0
        ? ` Checks: ${evidence.checks
            .slice(0, 20)
            .map((c) => `${c.name}: ${c.status}`)
            .join('; ')}.`
        : ''),
    props: [
      ...prop('evidence-id', evidence.id),
      ...prop('evidence-kind', evidence.kind),
      ...prop('ledger-sequence', evidence.sequence),
      ...prop('ledger-index', evidence.logIndex),
      ...prop('signing-key-id', evidence.keyid),
      ...prop('envelope-sha256', evidence.envelopeSha256),
      ...prop('statement-sha256', evidence.statementSha256),
      ...prop('received-at', iso(evidence.receivedAt)),
      ...prop('pipeline-run-id', evidence.producer?.pipelineRunId),
      ...evidence.measurements.slice(0, 50).flatMap((m) => prop('measurement', `${m.name}=${String(m.value)}`, m.name)),
    ],
    methods: ['TEST'],
    types: ['control-objective'],
    origins: [{ actors: [{ type: 'tool', 'actor-uuid': tools.get(str(evidence.producer?.tool) ?? 'unknown-tool')! }] }],
    subjects: [{ 'subject-uuid': toeComponent, type: 'component', title: data.toe.name }],
    'relevant-evidence': [
      {
        href: `#${resourceOf(evidence)}`,
        description: `The DSSE envelope exactly as received (SHA-256 ${evidence.envelopeSha256}).`,
      },
      ...(evidence.raw
        ? [
            {
              href: evidence.raw.uri ?? `urn:sha256:${evidence.raw.digest.sha256}`,
              description: `The untouched tool output (${evidence.raw.mediaType}, SHA-256 ${evidence.raw.digest.sha256}), kept by the auditee's evidence collector.`,
              props: prop('raw-sha256', evidence.raw.digest.sha256),
            },
          ]
        : []),
    ],
    collected: iso(evidence.observedAt),
  }));

  const findings = data.requirements.map((report) => finding(report, data, observed));
  const risks = data.requirements
    .filter((report) => report.counts.non_compliant > 0 || report.final?.status === 'non_compliant')
    .map((report) => risk(report, data, observed));
  const riskUuid = new Map(
    risks.map((entry) => [entry.props.find((p) => p.name === 'requirement-id')!.value, entry.uuid]),
  );
  for (const entry of findings) {
    const related = riskUuid.get(entry.target['target-id'].replace(/^req-/, ''));
    if (related) (entry as any)['related-risks'] = [{ 'risk-uuid': related }];
  }

  const controls = [...new Set(data.requirements.flatMap((report) => report.requirement.controls))];
  const components = [
    {
      uuid: toeComponent,
      type: 'this-system',
      title: data.toe.name,
      description: str(
        `${data.toe.businessPurpose} (field of operation: ${data.toe.fieldOfOperation}; risk class: ${data.toe.riskClass})`,
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
    {
      uuid: assessmentPlatform,
      type: 'software',
      title: 'CABC assessment service',
      description:
        'Verifies signed evidence, keeps the evidence ledger and evaluates the approved requirements continuously.',
      status: { state: 'operational' },
    },
    ...[...tools].map(([tool, uuid]) => ({
      uuid,
      type: 'software',
      title: tool,
      description: `Evidence producer named in the signed statements: ${tool}.`,
      status: { state: 'operational' },
    })),
  ];

  const logEntries = data.audit.map((event) => ({
    uuid: uuidV5(`audit:${data.toe.org}:${event.id}`),
    title: `${event.action} ${event.entity}`,
    description: str(
      `${event.actor} (${event.role}): ${event.action} on ${event.entity}${event.comment ? ` — ${event.comment}` : ''}`,
    )!,
    start: iso(event.at),
    props: prop('actor', event.actor),
  }));
  for (const report of data.requirements) {
    for (const change of report.changes) {
      logEntries.push({
        uuid: uuidV5(`change:${data.toe.id}:${report.requirement.id}:${change.at.toISOString()}:${change.to}`),
        title: `${report.requirement.id}: ${change.from ?? 'none'} → ${change.to}`,
        description: str(change.reason) ?? `${report.requirement.id} became ${change.to}`,
        start: iso(change.at),
        props: prop('requirement-id', report.requirement.id),
      });
    }
  }
  logEntries.sort((a, b) => a.start.localeCompare(b.start));

  const result: Record<string, unknown> = {
    uuid: randomUUID(),
    title: `Continuous assessment of ${data.toe.name}, ${iso(data.window.from)} – ${iso(data.window.to)}`,
    description:
      `Evidence received and requirement results of the approved scope${data.scope ? ` (version ${data.scope.version}, digest ${data.scope.digest})` : ''} ` +
      `for the window. Posture at the time of the export: ${data.posture.posture}.`,
    start: iso(data.window.from),
    end: iso(data.window.to),
    props: [
      ...prop('posture', data.posture.posture),
      ...prop('posture-sequence', data.posture.sequence),
      ...prop('scope-version', data.scope?.version),
      ...prop('scope-digest', data.scope?.digest),
      ...data.certificates.certificates.flatMap((certificate) =>
        prop('certificate-status', `${certificate.id}: ${certificate.status}`),
      ),
    ],
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
    ...(risks.length > 0 ? { risks } : {}),
    ...(findings.length > 0 ? { findings } : {}),
  };
  if (props(result).length === 0) delete result.props;

  const resources = data.evidence.map((evidence) => ({
    uuid: resourceOf(evidence),
    title: `DSSE envelope of evidence #${evidence.sequence} (${evidence.kind})`,
    props: prop('evidence-id', evidence.id),
    rlinks: [
      {
        href: `${links.base}/v1/toes/${encodeURIComponent(data.toe.id)}/evidence/${evidence.id}/envelope`,
        'media-type': 'application/json',
        hashes: [{ algorithm: 'SHA-256', value: evidence.envelopeSha256 }],
      },
    ],
  }));

  return {
    'assessment-results': {
      uuid: randomUUID(),
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
          { uuid: auditeeParty, type: 'organization', name: data.toe.org },
          { uuid: auditorParty, type: 'organization', name: `Auditor of ${data.toe.org}` },
        ],
        'responsible-parties': [
          { 'role-id': 'system-owner', 'party-uuids': [auditeeParty] },
          { 'role-id': 'assessor', 'party-uuids': [auditorParty] },
        ],
      },
      'import-ap': {
        href: data.scope
          ? `${links.base}/v1/toes/${encodeURIComponent(data.toe.id)}/scopes/${data.scope.version}`
          : `${links.base}/v1/toes/${encodeURIComponent(data.toe.id)}/scopes`,
        remarks: data.scope
          ? `The assessment plan is the approved CABC scope, version ${data.scope.version} (SHA-256 of its canonical JSON: ${data.scope.digest}).`
          : 'The ToE has no approved scope yet.',
      },
      results: [result],
      ...(resources.length > 0 ? { 'back-matter': { resources } } : {}),
    },
  };
}

const props = (value: Record<string, unknown>) => (Array.isArray(value.props) ? value.props : []);

function finding(report: RequirementReport, data: ReportData, observed: Set<string>) {
  const final = report.final;
  const satisfied = final?.status === 'compliant';
  const related = (final?.evidenceIds ?? []).filter((id) => observed.has(id));
  const requirement = report.requirement;
  return {
    uuid: uuidV5(`finding:${data.toe.id}:${requirement.id}:${iso(data.window.from)}:${iso(data.window.to)}`),
    title: `${requirement.id}: ${requirement.title}`,
    description:
      `${final ? `At the end of the window the requirement was ${final.status} (evaluated ${iso(final.evaluatedAt)}): ${final.reason}.` : 'The requirement was not evaluated by the end of the window.'} ` +
      `Evaluations in the window: ${report.counts.compliant} compliant, ${report.counts.non_compliant} non-compliant, ${report.counts.pending} pending, ${report.counts.error} error.`,
    props: [
      ...prop('requirement-id', requirement.id),
      ...prop('requirement-status', final?.status ?? 'pending'),
      ...prop('severity', requirement.severity),
      ...prop('critical', requirement.critical),
      ...requirement.controls.flatMap((control) => prop('control', control)),
      ...prop('evaluations-non-compliant', report.counts.non_compliant),
    ],
    target: {
      type: 'objective-id',
      'target-id': `req-${oscalToken(requirement.id).replace(/^_/, '')}`,
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
  };
}

function risk(report: RequirementReport, data: ReportData, observed: Set<string>) {
  const requirement = report.requirement;
  const mitigated = data.scope?.risks.filter((entry: any) => requirement.mitigates.includes(entry.id)) ?? [];
  const open = report.final?.status === 'non_compliant';
  const related = report.failingEvidenceIds.filter((id) => observed.has(id));
  const firstFailure = report.changes.find((change) => change.to === 'non_compliant');
  return {
    uuid: uuidV5(`risk:${data.toe.id}:${requirement.id}:${iso(data.window.from)}:${iso(data.window.to)}`),
    title: `Non-compliance with ${requirement.id}: ${requirement.title}`,
    description:
      `The requirement was non-compliant in ${report.counts.non_compliant} evaluation(s) in the window` +
      `${firstFailure ? `, first at ${iso(firstFailure.at)} (${firstFailure.reason})` : ''}; ` +
      `${open ? 'it still is at the end of the window' : 'it was compliant again by the end of the window'}.`,
    statement:
      mitigated.length > 0
        ? `While it is not met, these risks of the scope are not mitigated: ${mitigated.map((entry: any) => `${entry.id} (${entry.description}; likelihood ${entry.likelihood}, impact ${entry.impact})`).join('; ')}.`
        : `While it is not met, the quality the requirement asks for (severity ${requirement.severity}) is not assured.`,
    props: [
      ...prop('requirement-id', requirement.id),
      ...prop('severity', requirement.severity),
      ...prop('critical', requirement.critical),
      ...mitigated.flatMap((entry: any) => prop('scope-risk', entry.id)),
    ],
    status: open ? 'open' : 'closed',
    ...(related.length > 0
      ? { 'related-observations': related.map((id) => ({ 'observation-uuid': uuidV5(`observation:${id}`) })) }
      : {}),
  };
}
