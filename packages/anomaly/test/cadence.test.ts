import { describe, expect, it } from 'vitest';
import type { AnomalyEvidence } from '../src/index.ts';
import { DAY, evidence, observeAll, ofSignal, scope, seeded, START } from './fixtures.ts';

/** Evidence at the given times (ms), ids t0, t1, ... */
function at(times: readonly number[]): AnomalyEvidence[] {
  return times.map((time, index) =>
    evidence({ id: `t${index}`, observedAt: time, measurements: [{ name: 'accuracy', value: 0.9 }] }),
  );
}

function daily(count: number, seed: number): number[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, index) => START + index * DAY + random.normal(0, 10 * 60_000));
}

describe('cadence', () => {
  it('stays quiet on a jittered daily pipeline that skips a run now and then', () => {
    const times = daily(200, 1).filter((_, index) => index % 37 !== 5);
    expect(observeAll(at(times)).observations).toEqual([]);
  });

  it('reports a gap of several runs on the first evidence after it', () => {
    const times = daily(80, 2).filter((_, index) => index < 40 || index >= 46);
    const found = ofSignal(observeAll(at(times)).observations, 'cadence_gap');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['t40']);
    expect(found[0]!.details.ratio).toBeCloseTo(7, 0);
    expect(found[0]!.explanation).toMatch(/7 days/);
  });

  it('says so when the silence spans an approval, and scores it higher', () => {
    const times = daily(80, 2).filter((_, index) => index < 40 || index >= 46);
    const approval = { kind: 'approval' as const, at: new Date(START + 42 * DAY) };
    const plain = ofSignal(observeAll(at(times)).observations, 'cadence_gap')[0]!;
    const spanning = ofSignal(observeAll(at(times), scope({ milestones: [approval] })).observations, 'cadence_gap')[0]!;
    expect(spanning.explanation).toContain('approval');
    expect(spanning.score).toBeGreaterThan(plain.score);
  });

  it('ignores one quick re-run but reports a burst of them', () => {
    const base = daily(60, 3);
    const rerun = [...base.slice(0, 40), base[39]! + 20 * 60_000, ...base.slice(40)];
    expect(observeAll(at(rerun)).observations).toEqual([]);

    const burst = [...base.slice(0, 40), ...[1, 2, 3, 4].map((k) => base[39]! + k * 30 * 60_000), ...base.slice(40)];
    const found = ofSignal(observeAll(at(burst)).observations, 'cadence_burst');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['t41', 't42', 't43']);
  });

  it('reports a rhythm that halves for good, once', () => {
    const times = [...daily(40, 4), ...Array.from({ length: 30 }, (_, k) => START + 39 * DAY + (k + 1) * 2 * DAY)];
    const found = ofSignal(observeAll(at(times)).observations, 'cadence_gap');
    expect(found).toHaveLength(1);
    expect(found[0]!.explanation).toMatch(/less often/);
    expect(Number(found[0]!.details.sustainedFactor)).toBeCloseTo(2, 0);
  });

  it('leaves evidence older than the newest observation out of the rhythm', () => {
    const times = daily(40, 5);
    const items = at(times);
    items.push(evidence({ id: 'old', observedAt: times[10]!, measurements: [{ name: 'accuracy', value: 0.9 }] }));
    items.push(
      evidence({ id: 'next', observedAt: times[39]! + DAY, measurements: [{ name: 'accuracy', value: 0.9 }] }),
    );
    expect(ofSignal(observeAll(items).observations, 'cadence_gap')).toEqual([]);
    expect(ofSignal(observeAll(items).observations, 'cadence_burst')).toEqual([]);
  });
});
