import { MODEL_KINDS } from './evidence-features.ts';
import type { AnomalyParameters } from './parameters.ts';
import { clip, pushBounded, robustProfile, robustZ, winsorizedMoments } from './robust-statistics.ts';
import { emptyCusumTrack, type AnomalyState, type Baseline, type SeriesState } from './state.ts';
import type { AnomalyEvidence } from './types.ts';

/** The newest evidence seen against its series' window, computed once and shared by the detectors. */
export interface SeriesView {
  series: SeriesState;
  /** The evidence's value of each tracked metric. */
  values: (number | null)[];
  /** Its robust z-score per tracked metric; null where there is no value or no profile. */
  z: (number | null)[];
  /** Its z-score against the window's winsorized mean and deviation: what the change-point CUSUM accumulates. */
  winsorizedZ: (number | null)[];
  /** Enough history for outliers and change points to be judged. */
  ready: boolean;
  /**
   * Metrics of a model-kind series that had one and the same value in every row of a ready window, and now have
   * another (the same model on the same data gives the same result; counts in data reports change for less).
   */
  constantBroken: { metric: string; was: number; now: number }[];
}

export function seriesFor(state: AnomalyState, key: string, evidence: AnomalyEvidence, limit: number): SeriesState {
  let series = state.series.find((entry) => entry.key === key);
  if (!series) {
    series = {
      key,
      kind: evidence.predicate.kind,
      metrics: [],
      columns: [],
      rowIds: [],
      baseline: null,
      cusum: [],
      cadence: { lastObservedAt: null, intervals: [], usual: null, shortRun: 0, rhythm: emptyCusumTrack() },
    };
    pushBounded(state.series, series, limit);
  }
  return series;
}

/** Starts tracking the evidence's metrics the series does not know yet, up to the cap. */
export function registerMetrics(series: SeriesState, measured: ReadonlyMap<string, number>, maxMetrics: number): void {
  for (const key of measured.keys()) {
    if (series.metrics.length >= maxMetrics) return;
    if (!series.metrics.includes(key)) {
      series.metrics.push(key);
      series.columns.push(series.rowIds.map(() => null));
      series.cusum.push(emptyCusumTrack());
      series.baseline = null;
    }
  }
}

export function viewOf(
  series: SeriesState,
  measured: ReadonlyMap<string, number>,
  parameters: AnomalyParameters,
): SeriesView {
  const ready = series.rowIds.length >= parameters.minHistory;
  if (!ready) series.baseline = null;
  // While the window fills, every row matters: the baseline is recomputed each time until the window is full.
  else if (
    !series.baseline ||
    series.baseline.age >= parameters.refreshEvery ||
    series.rowIds.length < parameters.window
  ) {
    series.baseline = computeBaseline(series, parameters);
  }
  const baseline = series.baseline;
  const checkConstants = ready && MODEL_KINDS.has(series.kind);
  const count = series.metrics.length;
  const view: SeriesView = {
    series,
    values: new Array(count),
    z: new Array(count),
    winsorizedZ: new Array(count),
    ready,
    constantBroken: [],
  };
  for (let index = 0; index < count; index += 1) {
    const metric = series.metrics[index]!;
    const value = measured.get(metric) ?? null;
    const pair = baseline?.profiles[index] ?? null;
    const moments = baseline?.moments[index] ?? null;
    view.values[index] = value;
    view.z[index] = pair && value !== null ? (value - pair[0]) / pair[1] : null;
    view.winsorizedZ[index] = moments && value !== null ? (value - moments[0]) / moments[1] : null;
    if (checkConstants && !pair && value !== null) {
      const was = constantOf(series.columns[index]!, parameters.minHistory);
      if (was !== undefined && was !== value) view.constantBroken.push({ metric, was, now: value });
    }
  }
  return view;
}

/**
 * Per metric its robust profile and winsorized moments over the window, and the correlation between the metrics'
 * z-scores clipped at ±huber (so outliers in the window do not shape it), over the rows where both have a value.
 * O(rows × metrics²); recomputed every `refreshEvery` rows.
 */
export function computeBaseline(series: SeriesState, parameters: AnomalyParameters): Baseline {
  const { huber } = parameters.outlier;
  const rows = series.rowIds.length;
  const count = series.metrics.length;
  const profiles = series.columns.map((column) => robustProfile(column, parameters.minHistory));
  const clipped = new Float64Array(count * rows);
  profiles.forEach((profile, metric) => {
    const column = series.columns[metric]!;
    for (let row = 0; row < rows; row += 1) {
      const value = column[row];
      const score = profile && typeof value === 'number' ? robustZ(value, profile) : Number.NaN;
      clipped[metric * rows + row] = clip(score, huber);
    }
  });
  const correlation: number[] = [];
  for (let a = 1; a < count; a += 1) {
    for (let b = 0; b < a; b += 1) correlation.push(correlationOf(clipped, rows, a, b));
  }
  return {
    age: 0,
    profiles: profiles.map((profile) => (profile ? [profile.center, profile.scale] : null)),
    moments: profiles.map((profile, metric) => {
      const moments = profile && winsorizedMoments(series.columns[metric]!, profile, huber);
      return moments ? [moments.center, moments.scale] : null;
    }),
    correlation,
  };
}

function correlationOf(clipped: Float64Array, rows: number, a: number, b: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let row = 0; row < rows; row += 1) {
    const x = clipped[a * rows + row]!;
    const y = clipped[b * rows + row]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue; // no value in this row
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** The value a column has in every row, when it has one in at least `minCount` rows and never another. */
function constantOf(column: readonly (number | null)[], minCount: number): number | undefined {
  let value: number | undefined;
  let count = 0;
  for (const cell of column) {
    if (cell === null) continue;
    if (value !== undefined && cell !== value) return undefined;
    value = cell;
    count += 1;
  }
  return count >= minCount ? value : undefined;
}

export function appendRow(series: SeriesState, id: string, values: readonly (number | null)[], window: number): void {
  series.columns.forEach((column, index) => {
    pushBounded(column, values[index] ?? null, window);
  });
  pushBounded(series.rowIds, id, window);
  if (series.baseline) series.baseline.age += 1;
}

/** Forgets the baseline from before `fromId` (or all of it): the series re-learns from there. */
export function rebaseline(series: SeriesState, fromId: string | null): void {
  const start = fromId === null ? -1 : series.rowIds.indexOf(fromId);
  const keep = start < 0 ? series.rowIds.length : start;
  for (const column of series.columns) column.splice(0, keep);
  series.rowIds.splice(0, keep);
  series.baseline = null;
  series.cusum = series.cusum.map(() => emptyCusumTrack());
}
