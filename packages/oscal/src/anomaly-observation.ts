import { assessmentServiceUuid, toeComponentUuid } from './components.ts';
import { observationUuid } from './evidence-observation.ts';
import { iso, prop, str, uuidV5 } from './oscal-text.ts';

/** An observation of the assessment's anomaly and gaming detectors (GET /v1/toes/:id/observations). */
export interface AnomalyObservationInput {
  id: string;
  signal: string;
  kind: string;
  score: number;
  evidenceIds: string[];
  explanation: string;
  state: 'open' | 'confirmed' | 'dismissed';
  decidedBy: string | null;
  decidedAt: string | Date | null;
  decisionReason: string | null;
  findingId: string | null;
  createdAt: string | Date;
}

export const anomalyObservationUuid = (id: string) => uuidV5(`observation:anomaly:${id}`);

/**
 * One anomaly observation as an OSCAL observation made by the assessment service (method TEST, type historic: a
 * pattern across the evidence stream, not a control verdict), pointing at the evidence observations behind it that
 * the document carries, with the auditor's decision, if any, in its remarks.
 */
export function anomalyObservation(
  observation: AnomalyObservationInput,
  toe: { id: string; name: string },
  options: { base: string; observed: ReadonlySet<string> },
) {
  const toeId = encodeURIComponent(toe.id);
  const decision =
    observation.state === 'open'
      ? 'Open: awaiting the auditor’s confirmation or dismissal.'
      : `${observation.state === 'confirmed' ? 'Confirmed' : 'Dismissed'} by ${observation.decidedBy} at ` +
        `${observation.decidedAt ? iso(observation.decidedAt) : 'an unknown time'}: ${observation.decisionReason}` +
        (observation.findingId ? ` (manual finding ${observation.findingId}).` : '.');
  return {
    uuid: anomalyObservationUuid(observation.id),
    title: `Anomaly: ${observation.signal.replaceAll('_', ' ')} in ${observation.kind} evidence`,
    description: str(observation.explanation)!,
    props: [
      ...prop('anomaly-observation-id', observation.id),
      ...prop('anomaly-signal', observation.signal),
      ...prop('anomaly-score', observation.score.toFixed(4)),
      ...prop('anomaly-state', observation.state),
      ...prop('evidence-kind', observation.kind),
      ...observation.evidenceIds.flatMap((id) => prop('evidence-id', id)),
      ...prop('manual-finding-id', observation.findingId),
    ],
    methods: ['TEST'],
    types: ['historic'],
    origins: [{ actors: [{ type: 'tool', 'actor-uuid': assessmentServiceUuid() }] }],
    subjects: [{ 'subject-uuid': toeComponentUuid(toe.id), type: 'component', title: toe.name }],
    'relevant-evidence': observation.evidenceIds.map((id) => ({
      href: `${options.base}/v1/toes/${toeId}/evidence/${encodeURIComponent(id)}`,
      description: options.observed.has(id)
        ? `Evidence ${id}, observation ${observationUuid(id)} of this document.`
        : `Evidence ${id} (received outside this document's period).`,
    })),
    collected: iso(observation.createdAt),
    remarks: decision,
  };
}
