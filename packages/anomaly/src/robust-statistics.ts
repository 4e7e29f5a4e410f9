import { flooredDeviation } from '@cabc/rules';

/** Scales the median absolute deviation to the standard deviation of a normal distribution. */
const MAD_TO_SIGMA = 1.4826;

export interface RobustProfile {
  center: number;
  /** A robust standard deviation, never 0. */
  scale: number;
  count: number;
}

/** Scratch space for sorting, reused by every call: the detectors run one at a time. */
let scratch = new Float64Array(256);

function ensureScratch(size: number): void {
  if (scratch.length < size) scratch = new Float64Array(size * 2);
}

export function medianOfSorted(sorted: ArrayLike<number>, length = sorted.length): number {
  const mid = length >> 1;
  return length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of the finite values; undefined with fewer than `minCount`. */
export function median(values: readonly (number | null)[], minCount = 1): number | undefined {
  const sorted = sortedValues(values);
  return sorted.length < Math.max(1, minCount) ? undefined : medianOfSorted(sorted);
}

/** The finite values, sorted, in a scratch buffer that the next call reuses. */
export function sortedValues(values: readonly (number | null)[]): Float64Array {
  ensureScratch(values.length);
  let n = 0;
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value)) scratch[n++] = value;
  return scratch.subarray(0, n).sort();
}

/**
 * Median and scaled MAD of the finite values. The scale never falls below the values' quantum (the smallest gap
 * between two distinct values), so a count that is 0 nine times in ten is not infinitely surprised by a 1.
 * Undefined with fewer than `minCount` values, or when they are all equal (nothing to measure against).
 */
export function robustProfile(values: readonly (number | null)[], minCount: number): RobustProfile | undefined {
  const sorted = sortedValues(values);
  const n = sorted.length;
  if (n < minCount || n === 0 || sorted[0] === sorted[n - 1]) return undefined;
  const center = medianOfSorted(sorted);
  let quantum = Number.POSITIVE_INFINITY;
  for (let index = 1; index < n; index += 1) {
    const gap = sorted[index]! - sorted[index - 1]!;
    if (gap > 0 && gap < quantum) quantum = gap;
  }
  const mad = medianDeviation(sorted, center);
  return { center, scale: flooredDeviation(Math.max(MAD_TO_SIGMA * mad, quantum), center), count: n };
}

/**
 * The median of |x - center| over sorted x, in O(n) without sorting again: the deviations grow outwards from the
 * center on both sides, so merging the two sides in order yields them sorted.
 */
function medianDeviation(sorted: Float64Array, center: number): number {
  const n = sorted.length;
  let right = 0;
  while (right < n && sorted[right]! < center) right += 1;
  let left = right - 1;
  let previous = 0;
  for (let taken = 0; taken <= n >> 1; taken += 1) {
    const fromLeft = left >= 0 ? center - sorted[left]! : Number.POSITIVE_INFINITY;
    const fromRight = right < n ? sorted[right]! - center : Number.POSITIVE_INFINITY;
    const next = Math.min(fromLeft, fromRight);
    if (fromLeft <= fromRight) left -= 1;
    else right += 1;
    if (taken === (n >> 1) - 1) previous = next;
    if (taken === n >> 1) return n % 2 === 1 ? next : (previous + next) / 2;
  }
  return 0;
}

/**
 * Mean and standard deviation of the finite values after clipping them to center ± bound × scale of their robust
 * profile: outliers in the window cannot move them, yet unlike median and MAD they see the spread of a sparse count
 * (a column that drifts once in ten runs) below its quantum.
 */
export function winsorizedMoments(
  values: readonly (number | null)[],
  profile: RobustProfile,
  bound: number,
): RobustProfile | undefined {
  const low = profile.center - bound * profile.scale;
  const high = profile.center + bound * profile.scale;
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const clipped = Math.min(high, Math.max(low, value));
    count += 1;
    sum += clipped;
    squares += clipped * clipped;
  }
  if (count < 2) return undefined;
  const center = sum / count;
  const variance = Math.max(0, (squares - count * center * center) / (count - 1));
  if (variance === 0) return undefined;
  return { center, scale: flooredDeviation(Math.sqrt(variance), center), count };
}

export function robustZ(value: number, profile: RobustProfile): number {
  return (value - profile.center) / profile.scale;
}

export function clip(value: number, bound: number): number {
  return Math.max(-bound, Math.min(bound, value));
}

/** Keeps the newest `limit` items of a list kept oldest first (in place). */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
