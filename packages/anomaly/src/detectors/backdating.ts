import type { AnomalyParameters } from '../parameters.ts';
import { cachedProfile, pushAged } from '../cached-statistics.ts';
import { robustZ } from '../robust-statistics.ts';
import { duration, scoreOf, shown } from '../score.ts';
import type { KeyState } from '../state.ts';
import type { AnomalyEvidence, Observation } from '../types.ts';

/**
 * Evidence that claims to be much older than the ledger says it is, out of the order its collector delivers in.
 * The collector's outbox delivers a ToE's evidence in order, so a backlog after an outage arrives with old times but
 * in sequence; evidence observed well before what the same key already delivered was made later than it claims.
 * Both the lag (ledger time − observedAt) and that out-of-order margin must be `ratio` times the key's usual lag,
 * and the lag `z` robust deviations above it on a log scale.
 */
export function detectBackdating(
  evidence: AnomalyEvidence,
  key: KeyState,
  times: { observedAt: number; appendedAt: number },
  parameters: AnomalyParameters,
): Observation | undefined {
  const lagSeconds = Math.max(0.001, (times.appendedAt - times.observedAt) / 1000);
  const logLag = Math.log(lagSeconds);
  const profile = cachedProfile(key, key.lags, parameters.backdating.minHistory, parameters.refreshEvery);
  const newestId = key.maxObservedId;
  const marginSeconds = key.maxObservedAt === null ? 0 : (key.maxObservedAt - times.observedAt) / 1000;
  if (key.maxObservedAt === null || times.observedAt > key.maxObservedAt) {
    key.maxObservedAt = times.observedAt;
    key.maxObservedId = evidence.id;
  }

  // Without a profile but with enough history every lag was the same: any lag beyond the ratio is far outside it.
  const enough = key.lags.length >= parameters.backdating.minHistory;
  const usualLog = profile ? profile.center : enough ? key.lags.at(-1) : undefined;
  let observation: Observation | undefined;
  if (usualLog !== undefined) {
    const usualLag = Math.exp(usualLog);
    const z = profile ? robustZ(logLag, profile) : Number.POSITIVE_INFINITY;
    const { ratio, z: alarm } = parameters.backdating;
    const factor = Math.min(lagSeconds, marginSeconds) / usualLag;
    if (factor >= ratio && z >= alarm) {
      observation = {
        signal: 'backdated_evidence',
        score: scoreOf(Math.min(factor / ratio, z / alarm)),
        kind: evidence.predicate.kind,
        evidenceIds: [evidence.id, ...(newestId ? [newestId] : [])],
        explanation:
          `This ${evidence.predicate.kind} evidence says it was observed ${duration(lagSeconds * 1000)} before the ` +
          `ledger appended it, where this collector's evidence usually takes ${duration(usualLag * 1000)}; and it ` +
          `claims a time ${duration(marginSeconds * 1000)} earlier than evidence ${newestId} the same key had ` +
          'already delivered. A delivery backlog would have arrived in order: this evidence was most likely ' +
          `produced later than it says (${shown(factor, 2)} times the usual lag).`,
        details: {
          lagSeconds,
          usualLagSeconds: usualLag,
          outOfOrderSeconds: marginSeconds,
          logLagZ: Number.isFinite(z) ? z : null,
        },
      };
    }
  }
  // What is flagged is not learnt: a stream of backdated evidence must not become the usual lag.
  if (!observation) pushAged(key.lags, key, logLag, parameters.window);
  return observation;
}
