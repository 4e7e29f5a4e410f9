export interface RobustDistance {
  /** Squared robust Mahalanobis distance of the point from the window. */
  squared: number;
  dimensions: number;
  /** Wilson–Hilferty normal score of `squared` against a chi-square with `dimensions` degrees of freedom. */
  normalScore: number;
  /** False when `squared` is only an upper bound, itself below the caller's floor. */
  exact: boolean;
}

/**
 * The newest point's robust z-scores `z` (null where not measured or without a profile) combined with the window's
 * correlation (lower triangle, see Baseline), shrunk towards the identity by `shrinkage`: the distance is z' R⁻¹ z
 * over the measured metrics. O(d³) for d of them, d ≤ maxMetrics.
 */
export function robustDistance(
  correlation: readonly number[],
  z: readonly (number | null)[],
  shrinkage: number,
  /** Below this normal score the exact value does not matter: a cheap upper bound answers instead. */
  floor = Number.NEGATIVE_INFINITY,
): RobustDistance | undefined {
  const active: number[] = [];
  let norm = 0;
  for (let index = 0; index < z.length; index += 1) {
    const value = z[index];
    if (value === null || value === undefined) continue;
    active.push(index);
    norm += value * value;
  }
  const d = active.length;
  if (d === 0) return undefined;
  // The shrunk matrix's eigenvalues are at least `shrinkage`, so z' R⁻¹ z ≤ |z|² / shrinkage.
  const bound = norm / shrinkage;
  const boundScore = wilsonHilferty(bound, d);
  if (boundScore < floor) return { squared: bound, dimensions: d, normalScore: boundScore, exact: false };
  const matrix: number[][] = active.map((a) =>
    active.map((b) => (a === b ? 1 : (1 - shrinkage) * (correlation[triangleIndex(a, b)] ?? 0))),
  );
  const point = active.map((metric) => z[metric]!);
  const squared = choleskyQuadraticForm(matrix, point) ?? point.reduce((sum, value) => sum + value * value, 0);
  return { squared, dimensions: d, normalScore: wilsonHilferty(squared, d), exact: true };
}

/** Position of (a, b), a ≠ b, in a lower triangle stored row by row without its diagonal. */
function triangleIndex(a: number, b: number): number {
  const [row, column] = a > b ? [a, b] : [b, a];
  return (row * (row - 1)) / 2 + column;
}

/** x' M⁻¹ x through the Cholesky factor of M; undefined when M is not positive definite. */
export function choleskyQuadraticForm(matrix: readonly number[][], x: readonly number[]): number | undefined {
  const n = x.length;
  const lower = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k += 1) sum -= lower[i * n + k]! * lower[j * n + k]!;
      if (i === j) {
        if (sum <= 1e-12) return undefined;
        lower[i * n + i] = Math.sqrt(sum);
      } else {
        lower[i * n + j] = sum / lower[j * n + j]!;
      }
    }
  }
  let squared = 0;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let sum = x[i]!;
    for (let k = 0; k < i; k += 1) sum -= lower[i * n + k]! * y[k]!;
    y[i] = sum / lower[i * n + i]!;
    squared += y[i]! * y[i]!;
  }
  return squared;
}

/** Chi-square with d degrees of freedom → about standard normal: ((x/d)^(1/3) − (1 − 2/9d)) / √(2/9d). */
export function wilsonHilferty(squared: number, d: number): number {
  const v = 2 / (9 * d);
  return (Math.cbrt(squared / d) - (1 - v)) / Math.sqrt(v);
}
