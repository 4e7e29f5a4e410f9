import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  emptyState,
  metricDirectionsOf,
  observeEvidence,
  replay,
  restoreState,
  type AnomalyEvidence,
  type AnomalyState,
  type Observation,
} from '../src/index.ts';
import { computeBaseline } from '../src/series.ts';
import { ANOMALY_PARAMETERS } from '../src/parameters.ts';
import { dailyPerformance, DAY, evidence, scope, START } from './fixtures.ts';

/** A stream that exercises every detector: drifted runs, a copy, a gap, a burst, a backdated and a foreign run. */
function busyStream(): AnomalyEvidence[] {
  const items = dailyPerformance(140, 81, (index) => (index >= 100 ? -5 : index === 60 ? 10 : 0)).flatMap(
    (item, index) => [
      item,
      evidence({
        id: `d${index}`,
        kind: 'drift',
        run: `r${index}`,
        observedAt: START + index * DAY + 60_000,
        measurements: [
          { name: 'drift_share', value: index === 60 ? 0.7 : (index % 4) / 20 },
          { name: 'dataset_drift', value: index === 60 },
        ],
      }),
    ],
  );
  const copy = items.find((item) => item.id === 'e80')!;
  copy.predicate.measurements = items.find((item) => item.id === 'e70')!.predicate.measurements;
  items.push(evidence({ id: 'late', observedAt: START + 120 * DAY, appendedAt: START + 139 * DAY }));
  return items.filter((item) => !/^[ed](4[0-5])$/.test(item.id));
}

function stepwise(items: readonly AnomalyEvidence[], roundTrip: boolean) {
  let state: AnomalyState = emptyState();
  const observations: Observation[] = [];
  for (const item of items) {
    if (roundTrip) state = restoreState(JSON.parse(JSON.stringify(state)));
    observations.push(...observeEvidence(state, item, scope()));
  }
  return { state, observations };
}

describe('state', () => {
  it('round-trips through JSON between every evidence without changing a single observation', () => {
    const items = busyStream();
    const inMemory = stepwise(items, false);
    const throughJson = stepwise(items, true);
    expect(new Set(inMemory.observations.map((observation) => observation.signal)).size).toBeGreaterThanOrEqual(5);
    expect(throughJson.observations).toEqual(inMemory.observations);
    expect(throughJson.state).toEqual(inMemory.state);
  });

  it('built incrementally equals the replay of the whole history in one go', () => {
    const items = busyStream();
    const batch = replay(items.map((item) => ({ evidence: item, scope: scope() })));
    const incremental = stepwise(items, true);
    expect(incremental.state).toEqual(batch.state);
    expect(incremental.observations).toEqual(batch.observations);
  });

  it('keeps each baseline equal to the statistics of the window it was computed on, computed in one go', () => {
    const items = dailyPerformance(90, 82);
    const state = emptyState();
    let checked = 0;
    items.forEach((item, index) => {
      observeEvidence(state, item, scope());
      const series = state.series[0]!;
      if (series.baseline?.age !== 1) return;
      // Right after a refresh: the window it saw is the `window` evidence before this one, straight from the input.
      const before = items.slice(Math.max(0, index - ANOMALY_PARAMETERS.window), index);
      const window = {
        ...series,
        rowIds: before.map((entry) => entry.id),
        columns: series.metrics.map((metric) =>
          before.map((entry) => {
            const value = entry.predicate.measurements.find((measurement) => measurement.name === metric)?.value;
            return typeof value === 'number' ? value : null;
          }),
        ),
      };
      expect(series.baseline).toEqual({ ...computeBaseline(window, ANOMALY_PARAMETERS), age: 1 });
      checked += 1;
    });
    expect(checked).toBeGreaterThan(5);
    expect(state.series[0]!.columns[0]).toHaveLength(ANOMALY_PARAMETERS.window);
  });

  it('treats the same evidence observed twice as one', () => {
    const items = dailyPerformance(40, 83);
    const state = emptyState();
    for (const item of items) observeEvidence(state, item, scope());
    const before = JSON.stringify(state);
    expect(observeEvidence(state, items[39]!, scope())).toEqual([]);
    expect(JSON.stringify(state)).toBe(before);
  });

  it('starts afresh from a state of another schema version, and refuses a malformed one', () => {
    expect(restoreState({ schema: 0, anything: true })).toEqual(emptyState());
    expect(() => restoreState({ ...emptyState(), series: 'oops' })).toThrow(ZodError);
    expect(() => restoreState(null)).toThrow(ZodError);
  });

  it('holds no object keyed by a name from the evidence, so a subject called __proto__ is only a name', () => {
    const items = dailyPerformance(20, 84).map((item) => ({
      ...item,
      subjects: [{ name: '__proto__', digest: { sha256: 'e'.repeat(64) } }],
      keyId: 'constructor',
    }));
    const { state } = stepwise(items, true);
    expect(state.models[0]).toMatchObject({ name: '__proto__', stable: 20 });
    expect(state.keys[0]!.keyId).toBe('constructor');
  });
});

describe('metric directions from a scope', () => {
  it('reads them from threshold and trend rules', () => {
    const directions = metricDirectionsOf([
      { type: 'threshold', selector: { kind: 'performance', metric: 'accuracy' }, operator: '>=', target: 0.9 },
      { type: 'threshold', selector: { kind: 'performance', metric: 'latency_p99' }, operator: '<', target: 200 },
      {
        type: 'trend',
        selector: { kind: 'performance', metric: 'calibration_gap' },
        direction: 'increase_is_bad',
        method: 'ewma',
      },
    ]);
    expect({ ...directions }).toEqual({
      accuracy: 'higher_is_better',
      latency_p99: 'lower_is_better',
      calibration_gap: 'lower_is_better',
    });
  });
});
