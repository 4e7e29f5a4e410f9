import { describe, expect, it } from 'vitest';
import { cusum } from '@cabc/rules';
import { advanceTrack } from '../src/cusum-track.ts';
import { emptyCusumTrack } from '../src/state.ts';
import { dailyPerformance, observeAll, ofSignal, seeded } from './fixtures.ts';

describe('change_point', () => {
  it('reports a lasting drop of several deviations once, naming where it started, and re-learns', () => {
    const items = dailyPerformance(120, 21, (index) => (index >= 60 ? -4 : 0));
    const found = ofSignal(observeAll(items).observations, 'change_point');
    expect(found).toHaveLength(1);
    const [change] = found;
    const raisedAt = Number(change!.evidenceIds[0]!.slice(1));
    expect(raisedAt).toBeGreaterThanOrEqual(60);
    expect(raisedAt).toBeLessThan(70);
    const startedAt = Number(String(change!.details.changeStartsAt).slice(1));
    expect(startedAt).toBeGreaterThanOrEqual(58);
    expect(startedAt).toBeLessThanOrEqual(62);
    expect(change!.details.metrics).toContain('accuracy');
    expect(change!.explanation).toMatch(/accuracy fell/);
  });

  it('stays quiet on stationary noise and on one spike', () => {
    expect(ofSignal(observeAll(dailyPerformance(300, 22)).observations, 'change_point')).toEqual([]);
    const spike = dailyPerformance(100, 22, (index) => (index === 70 ? -25 : 0));
    expect(ofSignal(observeAll(spike).observations, 'change_point')).toEqual([]);
  });

  it('its online recursion equals the batch CUSUM of @cabc/rules on the same standardised series', () => {
    const random = seeded(9);
    const values = Array.from({ length: 80 }, (_, index) => random.normal(index >= 50 ? 1.6 : 0, 1));
    const options = { warmup: 20, slack: 0.5, threshold: 5, decreaseIsBad: false };
    const batch = cusum(values, options);
    const track = emptyCusumTrack();
    values.slice(options.warmup).forEach((value, offset) => {
      const z = (value - batch.baselineMean) / batch.baselineDeviation;
      advanceTrack(track, z, options.slack, `p${offset + options.warmup}`);
    });
    expect(track.up).toBeCloseTo(batch.statistic, 10);
    expect(batch.changeIndex).toBeDefined();
    expect(track.upStart).toBe(`p${batch.changeIndex}`);
  });
});
