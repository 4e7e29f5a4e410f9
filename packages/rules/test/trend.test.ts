import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../src/index.ts';
import { evidence, gaussian, metric, run, seededRandom } from './fixtures.ts';

const selector = { kind: 'performance', metric: 'accuracy' };
const ewma = { type: 'trend', selector, direction: 'decrease_is_bad', method: 'ewma' };
const cusum = { type: 'trend', selector, direction: 'decrease_is_bad', method: 'cusum' };

/** One evidence per value, an hour apart, oldest first, ids p-0, p-1, ... */
function series(values: readonly (number | string | null)[]): EvidenceRecord[] {
  return values.map((value, index) =>
    evidence({
      id: `p-${index}`,
      observedAt: new Date(Date.UTC(2025, 4, 1) + index * 3_600_000).toISOString(),
      measurements: [metric('accuracy', value)],
    }),
  );
}

function noise(count: number, seed: number, mean = 0.9, deviation = 0.01): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => gaussian(random, mean, deviation));
}

describe('EWMA trend', () => {
  it('does not flag the newest point of a noisy but stable series', () => {
    const result = run(ewma, series(noise(40, 7)));
    expect(result.status).toBe('compliant');
    expect(result.details[0]).toMatchObject({ property: 'ewma:accuracy', operator: '>=' });
  });

  it('rarely flags noise: at most 2 of 90 successive points of a stable series', () => {
    const values = noise(100, 11);
    let flagged = 0;
    for (let end = 11; end <= values.length; end += 1) {
      if (run(ewma, series(values.slice(0, end))).status === 'non_compliant') flagged += 1;
    }
    expect(flagged).toBeLessThanOrEqual(2);
  });

  it('flags a real drop beyond k standard deviations', () => {
    const values = [...noise(40, 7), 0.84];
    const result = run(ewma, series(values));
    expect(result.status).toBe('non_compliant');
    expect(result.details[0]?.value).toBe(0.84);
    expect(result.details[0]?.target).toBeGreaterThan(0.86);
    expect(result.evidenceIds).toHaveLength(41);
  });

  it('watches only the bad direction', () => {
    const rise = [...noise(40, 7), 0.96];
    expect(run(ewma, series(rise)).status).toBe('compliant');
    expect(run({ ...ewma, direction: 'increase_is_bad' }, series(rise)).status).toBe('non_compliant');
    expect(run({ ...ewma, direction: 'increase_is_bad' }, series([...noise(40, 7), 0.84])).status).toBe('compliant');
  });

  it('a wider band (larger k) tolerates the same drop', () => {
    expect(run({ ...ewma, k: 10 }, series([...noise(40, 7), 0.84])).status).toBe('compliant');
  });

  it('is pending until minHistory points precede the newest', () => {
    expect(run(ewma, series(noise(10, 3))).status).toBe('pending');
    expect(run(ewma, series(noise(11, 3))).status).not.toBe('pending');
    expect(run({ ...ewma, minHistory: 5 }, series(noise(6, 3))).status).not.toBe('pending');
    expect(run(ewma, []).status).toBe('pending');
  });

  it('is an error when the newest point is not a number, and skips older ones that are not', () => {
    expect(run(ewma, series([...noise(20, 5), null])).status).toBe('error');
    expect(run(ewma, series([...noise(20, 5), 'n/a'])).status).toBe('error');
    const gappy = series([...noise(10, 5), 'n/a', ...noise(10, 6)]);
    const result = run(ewma, gappy);
    expect(result.status).toBe('compliant');
    expect(result.evidenceIds).not.toContain('p-10');
  });

  it('does not call a flat series with a tiny rounding difference a drop', () => {
    expect(run(ewma, series([...Array<number>(20).fill(0.9), 0.9 - 1e-15])).status).toBe('compliant');
    expect(run(ewma, series([...Array<number>(20).fill(0.9), 0.89])).status).toBe('non_compliant');
  });
});

describe('CUSUM trend', () => {
  // A sustained shift of 1.5 standard deviations: no single point stands out, but together they do.
  const shifted = [...noise(30, 21), ...noise(15, 22, 0.885)];

  it('does not flag a stable series', () => {
    expect(run(cusum, series(noise(60, 21))).status).toBe('compliant');
  });

  it('detects a small sustained shift that EWMA misses, and locates the change point', () => {
    expect(run(ewma, series(shifted)).status).toBe('compliant');
    const result = run(cusum, series(shifted));
    expect(result.status).toBe('non_compliant');
    expect(result.details[0]).toMatchObject({ property: 'cusum:accuracy', operator: '<=', target: 5, success: false });
    const changePoint = Number(/evidence p-(\d+)/.exec(result.reason)?.[1]);
    expect(changePoint).toBeGreaterThanOrEqual(27);
    expect(changePoint).toBeLessThanOrEqual(33);
  });

  it('respects direction and the decision threshold', () => {
    expect(run({ ...cusum, direction: 'increase_is_bad' }, series(shifted)).status).toBe('compliant');
    expect(run({ ...cusum, threshold: 100 }, series(shifted)).status).toBe('compliant');
  });

  it('clears once the series has recovered for long enough', () => {
    const recovered = [...shifted, ...noise(80, 23)];
    expect(run(cusum, series(recovered)).status).toBe('compliant');
  });
});
