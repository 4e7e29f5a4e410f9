import type { EvidenceInput, ManualFindingInput } from './bundle-input.ts';
import { toeComponentUuid, toolComponentUuid } from './components.ts';
import { partiesOf } from './metadata.ts';
import { iso, prop, str, uuidV5 } from './oscal-text.ts';

export const observationUuid = (evidenceId: string) => uuidV5(`observation:${evidenceId}`);
export const envelopeResourceUuid = (evidenceId: string) => uuidV5(`envelope:${evidenceId}`);
export const ledgerResourceUuid = (evidenceId: string) => uuidV5(`ledger-entry:${evidenceId}`);
export const receiptResourceUuid = (evidenceId: string) => uuidV5(`receipt:${evidenceId}`);
export const manualObservationUuid = (findingId: string) => uuidV5(`observation:manual-finding:${findingId}`);

export const toolOf = (evidence: Pick<EvidenceInput, 'producer'>) => str(evidence.producer?.tool) ?? 'unknown-tool';

/** The software components of the tools that produced the evidence (observation origins name them). */
export function toolComponents(evidence: Pick<EvidenceInput, 'producer'>[]) {
  const tools = [...new Set(evidence.map(toolOf))].sort();
  return tools.map((tool) => ({
    uuid: toolComponentUuid(tool),
    type: 'software',
    title: tool,
    description: `Evidence producer named in the signed statements: ${tool}.`,
    status: { state: 'operational' },
  }));
}

const measurementText = (evidence: EvidenceInput) =>
  evidence.measurements
    .slice(0, 20)
    .map((m) => {
      const value = typeof m.value === 'string' ? JSON.stringify(m.value) : String(m.value);
      return `${m.name}${m.slice ? ` [${m.slice}]` : ''} = ${value}${m.unit ? ` ${m.unit}` : ''}`;
    })
    .join('; ');

export interface ObservationLinks {
  toeId: string;
  toeName: string;
  /** Base URL of the assessment service. */
  base: string;
  /** Include the ledger entry and the receipt as resources (the bundle does; the window export links only). */
  ledgerAndReceipt: boolean;
  /** The component that gathered it (origin actor of type tool): its producing tool's, unless given. */
  gatheredBy?: string | undefined;
  /** When the evidence stops counting (the shortest freshness window of the requirements that read it). */
  expires?: ((evidence: EvidenceInput) => Date | undefined) | undefined;
}

/**
 * One verified evidence as an OSCAL observation, with the back-matter resources it points at: the DSSE envelope
 * exactly as received (SHA-256), its ledger entry (index, inclusion proof) and the receipt the auditor signed.
 */
export function evidenceObservation(evidence: EvidenceInput, links: ObservationLinks) {
  const toe = encodeURIComponent(links.toeId);
  const resources: Record<string, unknown>[] = [
    {
      uuid: envelopeResourceUuid(evidence.id),
      title: `DSSE envelope of evidence #${evidence.sequence} (${evidence.kind})`,
      props: prop('evidence-id', evidence.id),
      rlinks: [
        {
          href: `${links.base}/v1/toes/${toe}/evidence/${evidence.id}/envelope`,
          'media-type': 'application/json',
          hashes: [{ algorithm: 'SHA-256', value: evidence.envelopeSha256 }],
        },
      ],
    },
  ];
  const relevant: Record<string, unknown>[] = [
    {
      href: `#${envelopeResourceUuid(evidence.id)}`,
      description: `The DSSE envelope exactly as received (SHA-256 ${evidence.envelopeSha256}).`,
    },
  ];
  if (links.ledgerAndReceipt && evidence.logIndex !== null) {
    resources.push({
      uuid: ledgerResourceUuid(evidence.id),
      title: `Ledger entry ${evidence.logIndex} of evidence #${evidence.sequence}`,
      description:
        'The envelope’s leaf in the auditor’s append-only Merkle evidence ledger (RFC 6962); the inclusion proof ' +
        'shows it under a signed checkpoint.',
      props: [...prop('ledger-index', evidence.logIndex), ...prop('envelope-sha256', evidence.envelopeSha256)],
      rlinks: [
        {
          href: `${links.base}/v1/ledger/proofs/inclusion?evidenceId=${evidence.id}`,
          'media-type': 'application/json',
        },
      ],
    });
    relevant.push({
      href: `#${ledgerResourceUuid(evidence.id)}`,
      description: `Its entry at index ${evidence.logIndex} of the evidence ledger, with the inclusion proof.`,
    });
  }
  if (links.ledgerAndReceipt && evidence.receipt) {
    resources.push({
      uuid: receiptResourceUuid(evidence.id),
      title: `Receipt of evidence #${evidence.sequence}`,
      description: 'The receipt the auditor signed when the evidence arrived (JWS, typ cabc-receipt+jwt).',
      props: prop('evidence-id', evidence.id),
      base64: {
        filename: `receipt-${evidence.sequence}.jwt`,
        'media-type': 'application/jwt',
        value: Buffer.from(evidence.receipt, 'utf8').toString('base64'),
      },
    });
    relevant.push({
      href: `#${receiptResourceUuid(evidence.id)}`,
      description: 'The signed receipt (verify it against the assessment service’s /.well-known/jwks.json).',
    });
  }
  if (evidence.raw) {
    relevant.push({
      href: evidence.raw.uri ?? `urn:sha256:${evidence.raw.digest.sha256}`,
      description:
        `The untouched tool output (${evidence.raw.mediaType}, SHA-256 ${evidence.raw.digest.sha256}), ` +
        "kept by the auditee's evidence collector.",
      props: prop('raw-sha256', evidence.raw.digest.sha256),
    });
  }
  const expires = links.expires?.(evidence);
  const from = evidence.producer?.tool ? ` from ${toolOf(evidence)}` : '';
  const observation = {
    uuid: observationUuid(evidence.id),
    title: `${evidence.kind} evidence #${evidence.sequence}${from}`,
    description:
      `Signed ${evidence.kind} evidence (DSSE envelope, in-toto statement), verified against the collector key ` +
      `${evidence.keyid} ` +
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
      ...(links.gatheredBy ? prop('producer-tool', toolOf(evidence)) : []),
      ...(links.gatheredBy ? prop('producer-tool-version', evidence.producer?.toolVersion) : []),
      ...evidence.measurements.slice(0, 50).flatMap((m) => prop('measurement', `${m.name}=${String(m.value)}`, m.name)),
    ],
    methods: ['TEST'],
    types: ['control-objective'],
    origins: [{ actors: [{ type: 'tool', 'actor-uuid': links.gatheredBy ?? toolComponentUuid(toolOf(evidence)) }] }],
    subjects: [{ 'subject-uuid': toeComponentUuid(links.toeId), type: 'component', title: links.toeName }],
    'relevant-evidence': relevant,
    collected: iso(evidence.observedAt),
    ...(expires ? { expires: expires.toISOString() } : {}),
  };
  return { observation, resources };
}

/** The auditor's own result for a requirement, as an observation by the assessor (EXAMINE). */
export function manualFindingObservation(finding: ManualFindingInput, toe: { id: string; org: string; name: string }) {
  return {
    uuid: manualObservationUuid(finding.id),
    title: `Auditor's finding on ${finding.requirementId}: ${finding.status}`,
    description: str(
      `${finding.recordedBy} recorded ${finding.status} for ${finding.requirementId}: ${finding.justification}`,
    )!,
    props: [
      ...prop('manual-finding-id', finding.id),
      ...prop('requirement-id', finding.requirementId),
      ...prop('requirement-status', finding.status),
      ...prop('recorded-by', finding.recordedBy),
    ],
    methods: ['EXAMINE'],
    types: ['finding'],
    origins: [{ actors: [{ type: 'party', 'actor-uuid': partiesOf(toe.org).auditor, 'role-id': 'assessor' }] }],
    subjects: [{ 'subject-uuid': toeComponentUuid(toe.id), type: 'component', title: toe.name }],
    collected: iso(finding.validFrom),
    expires: iso(finding.validUntil),
  };
}
