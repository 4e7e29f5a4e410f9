import type { AnomalyParameters } from '../parameters.ts';
import { robustDistance, type RobustDistance } from '../robust-distance.ts';
import { scoreOf, shown } from '../score.ts';
import type { SeriesView } from '../series.ts';
import type { AnomalyEvidence, Observation } from '../types.ts';

/** The robust distance of the evidence's measurements from its series' window; undefined until the series is ready. */
export function distanceOf(view: SeriesView, parameters: AnomalyParameters): RobustDistance | undefined {
  const baseline = view.series.baseline;
  if (!view.ready || !baseline) return undefined;
  // Every use of the distance compares it with the alarm, so below it an upper bound is as good as the exact value.
  return robustDistance(baseline.correlation, view.z, parameters.outlier.shrinkage, parameters.outlier.alarm);
}

/**
 * Multivariate outlier: the measurements of one evidence, taken together, far from the series' recent history; or a
 * metric that never varied in the window (a fixed holdout set, a column count) taking another value.
 */
export function detectMetricOutlier(
  evidence: AnomalyEvidence,
  view: SeriesView,
  distance: RobustDistance | undefined,
  parameters: AnomalyParameters,
): Observation | undefined {
  if (!distance || distance.normalScore < parameters.outlier.alarm) return constantBroken(evidence, view);
  const contributions = view.series.metrics
    .map((metric, index) => ({ metric, index, z: view.z[index] }))
    .filter((entry): entry is { metric: string; index: number; z: number } => entry.z !== null)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
    .slice(0, 3);
  const described = contributions.map(({ metric, index, z }) => {
    const [center, scale] = view.series.baseline?.profiles[index] ?? [Number.NaN, Number.NaN];
    const where = z < 0 ? 'below' : 'above';
    const usually = `usually ${shown(center, 4)} ± ${shown(scale, 2)}`;
    const far = `${shown(Math.abs(z), 2)} robust deviations ${where}`;
    return `${metric} ${shown(view.values[index]!, 4)} (${usually}, ${far})`;
  });
  const kind = evidence.predicate.kind;
  return {
    signal: 'metric_outlier',
    score: scoreOf(distance.normalScore / parameters.outlier.alarm),
    kind,
    evidenceIds: [evidence.id],
    explanation:
      `This ${kind} evidence is unlike the last ${view.series.rowIds.length} of its series: ${described.join('; ')}. ` +
      `Taken together with how these ${distance.dimensions} metrics usually move with each other, its distance ` +
      `scores ${shown(distance.normalScore, 2)} where ${parameters.outlier.alarm} raises an observation.`,
    details: {
      distanceSquared: distance.squared,
      dimensions: distance.dimensions,
      normalScore: distance.normalScore,
      metrics: contributions.map((entry) => entry.metric),
    },
  };
}

function constantBroken(evidence: AnomalyEvidence, view: SeriesView): Observation | undefined {
  if (view.constantBroken.length === 0) return undefined;
  const kind = evidence.predicate.kind;
  const described = view.constantBroken
    .slice(0, 3)
    .map((entry) => `${entry.metric} is ${shown(entry.now, 6)} after ${shown(entry.was, 6)}`)
    .join('; ');
  return {
    signal: 'metric_outlier',
    score: scoreOf(1 + view.constantBroken.length / 2),
    kind,
    evidenceIds: [evidence.id],
    explanation:
      `In the last ${view.series.rowIds.length} ${kind} evidence of this series these measurements never changed, ` +
      `and now they do: ${described}. The same model on the same data gives the same result; a change without an ` +
      'approved new model means the model, the data or the evaluation changed.',
    details: { metrics: view.constantBroken.map((entry) => entry.metric), constantBroken: view.constantBroken.length },
  };
}
