import type { AnomalyParameters } from '../parameters.ts';
import { pushBounded } from '../robust-statistics.ts';
import { duration, scoreOf, shown } from '../score.ts';
import type { KindState } from '../state.ts';
import type { AnomalyEvidence, AnomalyScope, Observation } from '../types.ts';
import { cachedMedian, pushAged } from '../cached-statistics.ts';

/**
 * Evidence timed to the freshness deadline instead of the pipeline's rhythm: it lands in the last `leadShare` of the
 * window the previous evidence of its kind left, although it comes `lateFactor` usual intervals (the scope's
 * promised rhythm, else the kind's own median interval) after that evidence. Raised once per cluster, when `hits` of
 * the last `of` evidence of the kind are such; the deadline counts, as the freshness rule does, from the earlier of
 * observation and ledger time.
 */
export function detectDeadlineClustering(
  evidence: AnomalyEvidence,
  state: KindState,
  times: { observedAt: number; appendedAt: number },
  scope: AnomalyScope,
  parameters: AnomalyParameters,
): Observation | undefined {
  const deadline = state.deadline;
  const kind = evidence.predicate.kind;
  const previous = deadline.lastObservedAt;
  const previousEffective = deadline.lastEffectiveAt;
  if (previous !== null && times.observedAt <= previous) return undefined;
  deadline.lastObservedAt = times.observedAt;
  deadline.lastEffectiveAt = Math.min(times.observedAt, times.appendedAt);
  if (previous === null || previousEffective === null) return undefined;

  const interval = times.observedAt - previous;
  const rhythm =
    scope.expectedIntervalMs?.[kind] ??
    cachedMedian(deadline, deadline.intervals, parameters.cadence.minHistory, parameters.refreshEvery);
  pushAged(deadline.intervals, deadline, interval, parameters.window);
  const window = scope.freshnessMs?.[kind];
  if (window === undefined || rhythm === undefined) return undefined;

  const { leadShare, lateFactor, of, hits } = parameters.deadline;
  const lead = previousEffective + window - times.observedAt;
  const hit = lead >= 0 && lead <= leadShare * window && interval >= lateFactor * rhythm;
  pushBounded(deadline.hits, hit ? evidence.id : null, of);
  const clustered = deadline.hits.filter((id): id is string => id !== null);
  if (clustered.length === 0) deadline.alarmed = false;
  if (!hit || clustered.length < hits || deadline.alarmed) return undefined;

  deadline.alarmed = true;
  const promised =
    scope.expectedIntervalMs?.[kind] !== undefined ? 'the rhythm the scope promises' : 'its usual rhythm';
  return {
    signal: 'deadline_clustering',
    score: scoreOf(clustered.length / hits),
    kind,
    evidenceIds: [evidence.id, ...clustered.filter((id) => id !== evidence.id).reverse()],
    explanation:
      `${clustered.length} of the last ${deadline.hits.length} ${kind} evidence arrived within the last ` +
      `${shown(leadShare * 100, 2)} % of the ${duration(window)} freshness window, each long after ${promised} of ` +
      `${duration(rhythm)} would have brought it (this one ${duration(lead)} before the deadline). Evidence timed to ` +
      'the deadline rather than to the pipeline keeps a requirement fresh without showing how the system runs between.',
    details: { leadMs: lead, freshnessMs: window, rhythmMs: rhythm, clustered: clustered.length },
  };
}
