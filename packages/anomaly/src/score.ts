/**
 * The common score scale: `ratio` is how far past its alarm threshold a detector's statistic is (1 at the threshold).
 * score = 1 - 2^-ratio, so 0.5 at the threshold, 0.75 at twice it, 0.875 at three times; never 1.
 */
export function scoreOf(ratio: number): number {
  const bounded = Math.max(1, Number.isFinite(ratio) ? ratio : 10);
  return Math.min(0.999, Math.round((1 - 2 ** -bounded) * 1000) / 1000);
}

/** For explanations: a number with at most `digits` significant digits. */
export function shown(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}

/** A duration for a human: "3.2 days", "5 hours", "40 minutes", "12 seconds". */
export function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (Math.abs(ms) >= size) {
      const value = shown(ms / size, 2);
      return `${value} ${name}${value === '1' ? '' : 's'}`;
    }
  }
  return `${Math.round(ms)} ms`;
}
