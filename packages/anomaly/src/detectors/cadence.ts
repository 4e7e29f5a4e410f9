import { advanceTrack, runMean } from '../cusum-track.ts';
import type { AnomalyParameters } from '../parameters.ts';
import { cachedMedian, pushAged } from '../cached-statistics.ts';
import { duration, scoreOf, shown } from '../score.ts';
import { emptyCusumTrack, type SeriesState } from '../state.ts';
import type { AnomalyEvidence, AnomalyScope, Observation } from '../types.ts';

/**
 * Cadence of a series against its own rhythm (the median interval between observations): one interval `gapRatio`
 * times the usual is a gap; two or more in a row shorter than the usual divided by `burstRatio` are a burst (one quick
 * re-run of a failed job is not); and a CUSUM on
 * ln(interval / usual) catches a rhythm that slows down or speeds up for good. Evidence older than the series'
 * newest observation has no interval of its own and is left out.
 */
export function detectCadence(
  evidence: AnomalyEvidence,
  series: SeriesState,
  observedAt: number,
  scope: AnomalyScope,
  parameters: AnomalyParameters,
): Observation | undefined {
  const cadence = series.cadence;
  const previous = cadence.lastObservedAt;
  if (previous !== null && observedAt <= previous) return undefined;
  cadence.lastObservedAt = observedAt;
  if (previous === null) return undefined;

  const interval = observedAt - previous;
  const { gapRatio, burstRatio, rhythmSlack, rhythmThreshold } = parameters.cadence;
  const usual = cachedMedian(cadence, cadence.intervals, parameters.cadence.minHistory, parameters.refreshEvery);
  pushAged(cadence.intervals, cadence, interval, parameters.window);
  if (usual === undefined || usual <= 0) return undefined;

  const ratio = interval / usual;
  cadence.shortRun = ratio <= 1 / burstRatio ? cadence.shortRun + 1 : 0;
  const kind = evidence.predicate.kind;
  const base = { kind, details: { intervalMs: interval, usualIntervalMs: usual, ratio } };
  if (ratio >= gapRatio) {
    const milestone = (scope.milestones ?? []).find(
      (entry) => entry.at.getTime() > previous && entry.at.getTime() <= observedAt + usual,
    );
    const relation = milestone && milestone.at.getTime() <= observedAt ? 'spans' : 'ends just before';
    const around = milestone
      ? ` The silence ${relation} the ${milestone.kind} of ${milestone.at.toISOString()}: evidence that stops ` +
        'while a decision is taken deserves a look.'
      : '';
    return {
      ...base,
      signal: 'cadence_gap',
      score: scoreOf((ratio / gapRatio) * (milestone ? 2 : 1)),
      evidenceIds: [evidence.id],
      explanation:
        `No ${kind} evidence of this series for ${duration(interval)} before this one, ${shown(ratio, 2)} times the ` +
        `pipeline's usual rhythm of ${duration(usual)}.${around}`,
      details: { ...base.details, milestone: milestone ? milestone.at.toISOString() : null },
    };
  }
  if (cadence.shortRun >= 2) {
    return {
      ...base,
      signal: 'cadence_burst',
      score: scoreOf(1 / ratio / burstRatio),
      evidenceIds: [evidence.id],
      explanation:
        `This ${kind} evidence came ${duration(interval)} after the previous one: ${cadence.shortRun} intervals in a ` +
        `row at least ${burstRatio} times shorter than the pipeline's usual rhythm of ${duration(usual)}. ` +
        'Re-running a pipeline until a result passes looks like this.',
    };
  }
  if (cadence.shortRun > 0) return undefined;
  return sustainedRhythmChange(evidence, series, ratio, usual, rhythmSlack, rhythmThreshold);
}

function sustainedRhythmChange(
  evidence: AnomalyEvidence,
  series: SeriesState,
  ratio: number,
  usual: number,
  slack: number,
  threshold: number,
): Observation | undefined {
  const track = series.cadence.rhythm;
  advanceTrack(track, Math.log(ratio), slack, evidence.id);
  const slower = track.up > threshold;
  if (!slower && track.down <= threshold) return undefined;
  const statistic = slower ? track.up : track.down;
  const length = slower ? track.upLength : track.downLength;
  const start = (slower ? track.upStart : track.downStart) ?? evidence.id;
  const factor = Math.exp(runMean(statistic, length, slack));
  // The new rhythm is the usual one from now on: keep only its intervals, so it is reported once.
  series.cadence.rhythm = emptyCusumTrack();
  series.cadence.intervals.splice(0, Math.max(0, series.cadence.intervals.length - length));
  series.cadence.usual = null;
  const kind = evidence.predicate.kind;
  return {
    signal: slower ? 'cadence_gap' : 'cadence_burst',
    score: scoreOf(statistic / threshold),
    kind,
    evidenceIds: [evidence.id, ...(start === evidence.id ? [] : [start])],
    explanation:
      `For the last ${length} intervals, ${kind} evidence of this series came about ${shown(factor, 2)} times ` +
      `${slower ? 'less' : 'more'} often than the pipeline's usual rhythm of ${duration(usual)}, since evidence ` +
      `${start}.`,
    details: { sustainedFactor: slower ? factor : 1 / factor, intervals: length, usualIntervalMs: usual },
  };
}
