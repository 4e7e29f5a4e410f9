import { median, pushBounded, robustProfile, type RobustProfile } from './robust-statistics.ts';
import type { CachedMedian, CachedProfile } from './state.ts';

/**
 * The window's median, recomputed only when `refreshEvery` values were added since the last time (or never
 * computed); undefined while the window has fewer than `minHistory` values.
 */
export function cachedMedian(
  holder: { usual: CachedMedian },
  values: readonly number[],
  minHistory: number,
  refreshEvery: number,
): number | undefined {
  if (values.length < minHistory) {
    holder.usual = null;
    return undefined;
  }
  if (holder.usual === null || holder.usual.age >= refreshEvery) {
    holder.usual = { age: 0, value: median(values, minHistory)! };
  }
  return holder.usual.value;
}

/** The window's robust profile, cached the same way. */
export function cachedProfile(
  holder: { usual: CachedProfile },
  values: readonly number[],
  minHistory: number,
  refreshEvery: number,
): RobustProfile | undefined {
  if (holder.usual === null || holder.usual.age >= refreshEvery) {
    const profile = robustProfile(values, minHistory);
    holder.usual = profile ? { age: 0, center: profile.center, scale: profile.scale } : null;
  }
  const usual = holder.usual;
  return usual ? { center: usual.center, scale: usual.scale, count: values.length } : undefined;
}

/** Adds a value to a window whose statistic is cached in `holder`, ageing the cache. */
export function pushAged(
  values: number[],
  holder: { usual: { age: number } | null },
  value: number,
  window: number,
): void {
  pushBounded(values, value, window);
  if (holder.usual) holder.usual.age += 1;
}
