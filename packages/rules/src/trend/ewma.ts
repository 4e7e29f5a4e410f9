import { flooredDeviation, mean, sampleStandardDeviation } from './statistics.ts';

export interface Band {
  mean: number;
  standardDeviation: number;
}

/**
 * The exponentially weighted mean and standard deviation of a series (oldest first). They start from the plain
 * mean and sample deviation of the first `warmup` points, then each later point x updates them:
 *   d = x - mean;  mean += alpha * d;  variance = (1 - alpha) * (variance + alpha * d^2)
 */
export function ewmaBand(values: readonly number[], alpha: number, warmup: number): Band {
  const initial = values.slice(0, warmup);
  let average = mean(initial);
  let variance = sampleStandardDeviation(initial) ** 2;
  for (const value of values.slice(warmup)) {
    const difference = value - average;
    average += alpha * difference;
    variance = (1 - alpha) * (variance + alpha * difference * difference);
  }
  return { mean: average, standardDeviation: flooredDeviation(Math.sqrt(variance), average) };
}
