import { describe, expect, it } from 'vitest';
import { robustProfile, winsorizedMoments } from '../src/robust-statistics.ts';
import { choleskyQuadraticForm, wilsonHilferty } from '../src/robust-distance.ts';
import { seeded } from './fixtures.ts';

/** Median and MAD the plain way: sort, sort again. */
function naive(values: number[]): { center: number; mad: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (list: number[]) =>
    list.length % 2 ? list[list.length >> 1]! : (list[list.length / 2 - 1]! + list[list.length / 2]!) / 2;
  const center = mid(sorted);
  return { center, mad: mid(sorted.map((value) => Math.abs(value - center)).sort((a, b) => a - b)) };
}

describe('robust profile', () => {
  it('equals median and 1.4826 × MAD computed by sorting, for odd and even counts and skewed data', () => {
    const random = seeded(3);
    for (let trial = 0; trial < 200; trial += 1) {
      const count = 5 + (trial % 40);
      const values = Array.from({ length: count }, () => Math.exp(random.normal(0, 1.5)));
      const expected = naive(values);
      const profile = robustProfile(values, 1)!;
      expect(profile.center).toBeCloseTo(expected.center, 12);
      // Continuous data: the quantum (smallest gap) is far below the MAD.
      expect(profile.scale).toBeCloseTo(1.4826 * expected.mad, 12);
    }
  });

  it('skips nulls and non-finite values, and needs minCount of them', () => {
    expect(robustProfile([1, null, 2, Number.NaN, 3], 3)).toMatchObject({ center: 2, count: 3 });
    expect(robustProfile([1, null, 2], 3)).toBeUndefined();
  });

  it('has nothing to measure against when every value is the same', () => {
    expect(robustProfile([0.9, 0.9, 0.9, 0.9], 2)).toBeUndefined();
  });

  it('never lets a mostly constant count be infinitely surprised: the scale is at least the quantum', () => {
    const counts = [...Array(18).fill(0), 1, 1];
    const profile = robustProfile(counts, 10)!;
    expect(profile.center).toBe(0);
    expect(profile.scale).toBe(1);
  });

  it('winsorized moments ignore an outlier but see the spread of a sparse count below its quantum', () => {
    const sparse = [...Array(45).fill(0), 1, 1, 1];
    const profile = robustProfile(sparse, 10)!;
    const moments = winsorizedMoments(sparse, profile, 3)!;
    expect(moments.scale).toBeLessThan(profile.scale);
    expect(moments.center).toBeCloseTo(3 / 48, 12);

    const withOutlier = [
      ...Array(20)
        .fill(0)
        .map((_, i) => i % 3),
      1000,
    ];
    const robust = robustProfile(withOutlier, 10)!;
    expect(winsorizedMoments(withOutlier, robust, 3)!.center).toBeLessThan(2);
  });
});

describe('distance pieces', () => {
  it('the Cholesky quadratic form equals x′M⁻¹x of a known inverse', () => {
    const matrix = [
      [1, 0.5],
      [0.5, 1],
    ];
    // M⁻¹ = 1/0.75 [[1, -0.5], [-0.5, 1]]
    const x = [2, -1];
    const expected = (1 / 0.75) * (2 * 2 - 2 * 0.5 * 2 * -1 + 1);
    expect(choleskyQuadraticForm(matrix, x)).toBeCloseTo(expected, 12);
    expect(choleskyQuadraticForm([[0]], [1])).toBeUndefined();
  });

  it('Wilson–Hilferty maps the chi-square median to about 0 and its upper tail to large scores', () => {
    // The median of chi-square(6) is 5.348.
    expect(Math.abs(wilsonHilferty(5.348, 6))).toBeLessThan(0.02);
    // Its 0.999 quantile is 22.46: a one-sided normal score of about 3.09.
    expect(wilsonHilferty(22.458, 6)).toBeCloseTo(3.09, 1);
  });
});
