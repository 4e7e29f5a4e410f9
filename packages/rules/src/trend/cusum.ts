import { flooredDeviation, mean, sampleStandardDeviation } from './statistics.ts';

export interface CusumOutcome {
  /** The statistic after the newest point, in standard deviations. */
  statistic: number;
  baselineMean: number;
  baselineDeviation: number;
  /** Index of the first point of the run that pushed the statistic over h; undefined without an alarm. */
  changeIndex: number | undefined;
}

/**
 * One-sided tabular CUSUM over a series (oldest first). The first `warmup` points give the reference mean mu and
 * deviation sigma; every later point adds its standardised shift in the bad direction minus the slack k:
 *   z = (x - mu) / sigma   (negated when a decrease is bad)
 *   S = max(0, S + z - k)
 * The statistic exceeds the threshold h while the shift persists, and decays back once the series recovers.
 */
export interface CusumOptions {
  warmup: number;
  /** k, in standard deviations. */
  slack: number;
  /** h, in standard deviations. */
  threshold: number;
  decreaseIsBad: boolean;
}

/** One step of the one-sided CUSUM recursion: S = max(0, S + z - k), z already standardised and signed. */
export function cusumStep(statistic: number, z: number, slack: number): number {
  return Math.max(0, statistic + z - slack);
}

export function cusum(values: readonly number[], options: CusumOptions): CusumOutcome {
  const baseline = values.slice(0, options.warmup);
  const baselineMean = mean(baseline);
  const baselineDeviation = flooredDeviation(sampleStandardDeviation(baseline), baselineMean);
  const sign = options.decreaseIsBad ? -1 : 1;

  let statistic = 0;
  let runStart = options.warmup;
  for (let index = options.warmup; index < values.length; index += 1) {
    const z = (sign * ((values[index] ?? baselineMean) - baselineMean)) / baselineDeviation;
    statistic = cusumStep(statistic, z, options.slack);
    if (statistic === 0) runStart = index + 1;
  }
  return {
    statistic,
    baselineMean,
    baselineDeviation,
    changeIndex: statistic > options.threshold ? runStart : undefined,
  };
}
