import type { AnomalyParameters } from '../parameters.ts';
import { pushBounded } from '../robust-statistics.ts';
import { scoreOf } from '../score.ts';
import type { KindState } from '../state.ts';
import type { AnomalyEvidence, AnomalyScope, Observation } from '../types.ts';

/**
 * A tool, a submitter or a signing key that has never reported this kind before, once the kind has `minHistory`
 * evidence. A new key within `minHistory` evidence of a newly approved scope version is a key rotation and is learnt
 * silently.
 */
export function detectNewProducer(
  evidence: AnomalyEvidence,
  state: KindState,
  scope: AnomalyScope,
  parameters: AnomalyParameters,
): Observation | undefined {
  const { producer, submitter, kind } = evidence.predicate;
  const submitterId = submitter ? `${submitter.role}:${submitter.subject}` : undefined;
  const experienced = state.count >= parameters.producer.minHistory;
  if (state.lastScopeVersion !== null && state.lastScopeVersion !== scope.version) state.versionSince = state.count;
  const rotated = state.lastScopeVersion !== null && state.count - state.versionSince < parameters.producer.minHistory;
  const remembered = parameters.producer.remembered;
  const facets: string[] = [];

  if (!state.tools.includes(producer.tool)) {
    if (experienced) facets.push(`tool '${producer.tool}' (until now: ${state.tools.join(', ')})`);
    pushBounded(state.tools, producer.tool, remembered);
  }
  if (submitterId && !state.submitters.includes(submitterId)) {
    if (experienced && state.submitters.length > 0) {
      facets.push(`submitter ${submitterId} (until now: ${state.submitters.join(', ')})`);
    }
    pushBounded(state.submitters, submitterId, remembered);
  }
  if (!state.keys.includes(evidence.keyId)) {
    if (experienced && !rotated) facets.push(`signing key ${evidence.keyId}`);
    pushBounded(state.keys, evidence.keyId, remembered);
  }
  state.count += 1;
  state.lastScopeVersion = scope.version;
  if (facets.length === 0) return undefined;
  return {
    signal: 'new_producer',
    score: scoreOf(1 + facets.length),
    kind,
    evidenceIds: [evidence.id],
    explanation:
      `After ${state.count - 1} ${kind} evidence, this one comes from a new ${facets.join('; a new ')}. ` +
      'Evidence from a source that never reported this kind is worth checking before it counts like the rest.',
    details: { facets: facets.length, tool: producer.tool, submitter: submitterId ?? null, keyId: evidence.keyId },
  };
}
