import { advanceTrack, runMean } from '../cusum-track.ts';
import type { AnomalyParameters } from '../parameters.ts';
import { clip } from '../robust-statistics.ts';
import { scoreOf, shown } from '../score.ts';
import { rebaseline, type SeriesView } from '../series.ts';
import type { AnomalyEvidence, Observation } from '../types.ts';

interface Shift {
  metric: string;
  direction: 'up' | 'down';
  statistic: number;
  start: string;
  length: number;
  mean: number;
}

/**
 * Change points across metrics: a two-sided CUSUM per metric on its z-score against the window's winsorized mean and
 * deviation, clipped so that one spike cannot raise an alarm alone. The baseline is the moving window, so a slow
 * drift is followed rather than reported (a baseline frozen at the start of a run reported slow drifts as changes,
 * see docs/anomalies.md). An alarm names every metric whose statistic is past half the threshold (they moved
 * together) and re-baselines the series from the start of the change, so a lasting change is reported once.
 */
export function detectChangePoint(
  evidence: AnomalyEvidence,
  view: SeriesView,
  parameters: AnomalyParameters,
): Observation | undefined {
  if (!view.ready) return undefined;
  const { clip: bound, slack, threshold } = parameters.changePoint;
  const shifts: Shift[] = [];
  view.series.metrics.forEach((metric, index) => {
    const z = view.winsorizedZ[index];
    const track = view.series.cusum[index];
    if (z === null || z === undefined || !track) return;
    advanceTrack(track, clip(z, bound), slack, evidence.id);
    if (track.up > threshold / 2 && track.upStart) {
      const mean = runMean(track.up, track.upLength, slack);
      shifts.push({ metric, direction: 'up', statistic: track.up, start: track.upStart, length: track.upLength, mean });
    }
    if (track.down > threshold / 2 && track.downStart) {
      const mean = runMean(track.down, track.downLength, slack);
      const { downStart: start, downLength: length } = track;
      shifts.push({ metric, direction: 'down', statistic: track.down, start, length, mean });
    }
  });
  const strongest = Math.max(0, ...shifts.map((shift) => shift.statistic));
  if (strongest <= threshold) return undefined;

  shifts.sort((a, b) => b.statistic - a.statistic);
  const longest = shifts.reduce((earliest, shift) => (shift.length > earliest.length ? shift : earliest));
  const start = longest.start;
  const kind = evidence.predicate.kind;
  const described = shifts
    .slice(0, 4)
    .map((shift) => `${shift.metric} ${shift.direction === 'up' ? 'rose' : 'fell'} by about ${shown(shift.mean, 2)}`);
  rebaseline(view.series, start);
  return {
    signal: 'change_point',
    score: scoreOf(strongest / threshold),
    kind,
    evidenceIds: [evidence.id, ...(start === evidence.id ? [] : [start])],
    explanation:
      `The ${kind} measurements changed level and stayed there: ${described.join(', ')} robust deviations per ` +
      `evidence since evidence ${start} (${longest.length} evidence). A retrained model, new data or a changed ` +
      'evaluation explains such a step; the baseline now re-learns from it.',
    details: {
      statistic: strongest,
      threshold,
      metrics: shifts.map((shift) => shift.metric),
      directions: shifts.map((shift) => shift.direction),
      changeStartsAt: start,
      evidenceSinceChange: longest.length,
    },
  };
}
