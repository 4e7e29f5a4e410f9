export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function sampleStandardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const average = mean(values);
  const squares = values.reduce((sum, value) => sum + (value - average) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * A perfectly flat history has no spread, which would turn any rounding difference into an infinite number of
 * standard deviations; a floor relative to the level keeps "beyond k standard deviations" meaningful.
 */
export function flooredDeviation(deviation: number, level: number): number {
  return Math.max(deviation, 1e-9 * Math.max(1, Math.abs(level)));
}
