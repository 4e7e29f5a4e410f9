import type { RuleResult } from '@cabc/rules';
import type { InForceRequirement } from '../evaluation/in-force-scope.ts';
import type { StoredObservation } from './observations.repository.ts';

/** Turns a requirement's automated result into pending while an open observation it opted in to waits for the auditor. */
export type AnomalyGate = (entry: InForceRequirement, automated: RuleResult) => RuleResult;

/**
 * The gate of the requirements with `anomalies.pendingAtScore`: a compliant result becomes pending while an open
 * observation of at least that score (of the signals named, if any) is about a kind the requirement reads. Worse
 * results stay as they are; an observation never makes anything compliant or non-compliant by itself.
 */
export function anomalyGateOf(open: readonly StoredObservation[]): AnomalyGate {
  if (open.length === 0) return (_entry, automated) => automated;
  return (entry, automated) => {
    const opted = entry.requirement.anomalies;
    if (!opted || automated.status !== 'compliant') return automated;
    const kinds = new Set<string>(entry.compiled.affectedKinds);
    const blocking = open.find(
      (observation) =>
        observation.score >= opted.pendingAtScore &&
        kinds.has(observation.kind) &&
        (!opted.signals || opted.signals.includes(observation.signal)),
    );
    if (!blocking) return automated;
    return {
      status: 'pending',
      reason:
        `open anomaly observation ${blocking.id} (${blocking.signal}, score ${blocking.score.toFixed(3)} ≥ ` +
        `${opted.pendingAtScore}) awaits the auditor's confirmation or dismissal`,
      details: [
        {
          property: 'anomaly_observation',
          value: blocking.score,
          operator: '<',
          target: opted.pendingAtScore,
          success: false,
        },
        ...automated.details,
      ],
      evidenceIds: [...new Set([...automated.evidenceIds, ...blocking.evidenceIds])],
    };
  };
}
