import { describe, expect, it } from 'vitest';
import { dailyPerformance, DAY, evidence, observeAll, ofSignal, seeded, START } from './fixtures.ts';

describe('metric_outlier', () => {
  it('stays quiet on 300 days of noisy but stable metrics', () => {
    const { observations } = observeAll(dailyPerformance(300, 11));
    expect(observations).toEqual([]);
  });

  it('raises one observation for a run whose metrics are far from the window, naming the metrics', () => {
    const items = dailyPerformance(60, 11, (index) => (index === 50 ? -9 : 0));
    const found = ofSignal(observeAll(items).observations, 'metric_outlier');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['e50']);
    expect(found[0]!.score).toBeGreaterThanOrEqual(0.5);
    expect(found[0]!.explanation).toMatch(/accuracy .* robust deviations below/);
  });

  it('sees metrics that break their usual correlation even when each alone is unremarkable', () => {
    const random = seeded(5);
    const items = Array.from({ length: 60 }, (_, index) => {
      const level = random.normal(0, 0.004);
      const [a, b] = index === 55 ? [0.9 + 0.012, 0.85 - 0.012] : [0.9 + level, 0.85 + level];
      return evidence({
        id: `e${index}`,
        observedAt: START + index * DAY,
        measurements: [
          { name: 'precision', value: a + random.normal(0, 0.0005) },
          { name: 'recall', value: b + random.normal(0, 0.0005) },
        ],
      });
    });
    const found = ofSignal(observeAll(items).observations, 'metric_outlier');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['e55']);
    expect(found[0]!.details.dimensions).toBe(2);
  });

  it('notices a model-kind metric that never varied taking another value (a static holdout)', () => {
    const items = Array.from({ length: 40 }, (_, index) =>
      evidence({
        id: `e${index}`,
        observedAt: START + index * DAY,
        measurements: [{ name: 'accuracy', value: index === 30 ? 0.95 : 0.912 }],
      }),
    );
    const found = ofSignal(observeAll(items).observations, 'metric_outlier');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['e30']);
    expect(found[0]!.explanation).toContain('never changed');
  });

  it('does not treat a data-quality count that leaves 0 for the first time as a broken constant', () => {
    const items = Array.from({ length: 40 }, (_, index) =>
      evidence({
        id: `e${index}`,
        kind: 'data_quality',
        observedAt: START + index * DAY,
        checks: [{ name: 'not_null', status: index === 30 ? 'fail' : 'pass' }],
      }),
    );
    expect(ofSignal(observeAll(items).observations, 'metric_outlier')).toEqual([]);
  });

  it('waits for the minimum history before judging anything', () => {
    const items = dailyPerformance(15, 2, (index) => (index === 14 ? -20 : 0));
    expect(observeAll(items).observations).toEqual([]);
  });
});
