import { describe, expect, it } from 'vitest';
import { observeEvidence, type AnomalyEvidence } from '../src/index.ts';
import {
  dailyPerformance,
  DAY,
  evidence,
  observeAll,
  ofSignal,
  performance,
  scope,
  seeded,
  START,
} from './fixtures.ts';

/** A daily run r<i> with its drift report; the drift report says the dataset drifted when asked. */
function drift(index: number, drifted: boolean, observedAt = START + index * DAY + 120_000): AnomalyEvidence {
  const share = drifted ? 0.6 : (index % 3) / 20;
  return evidence({
    id: `d${index}`,
    kind: 'drift',
    run: `r${index}`,
    tool: 'evidently',
    observedAt,
    measurements: [
      { name: 'drift_share', value: share },
      { name: 'number_of_drifted_columns', value: share * 20 },
      { name: 'dataset_drift', value: share >= 0.5 },
    ],
  });
}

describe('repeated_measurements', () => {
  it('reports metrics copied exactly from an earlier run that claims other data, and names the drifted data', () => {
    const items = dailyPerformance(60, 31).flatMap((item, index) => [item, drift(index, index === 55)]);
    const copied = items.find((item) => item.id === 'e55')!;
    copied.predicate.measurements = items
      .find((item) => item.id === 'e42')!
      .predicate.measurements.map((m) => ({ ...m }));
    const found = ofSignal(observeAll(items).observations, 'repeated_measurements');
    expect(found).toHaveLength(1);
    expect(found[0]!.evidenceIds.slice(0, 2)).toEqual(['e55', 'e42']);
    expect(found[0]!.explanation).toContain('pipeline run r55 instead of r42');
    expect(Number(found[0]!.details.expectedChanceMatches)).toBeLessThan(1e-6);
  });

  it('stays quiet for a pipeline that re-evaluates the same model on the same data and always repeats itself', () => {
    const items = Array.from({ length: 60 }, (_, index) =>
      evidence({
        id: `e${index}`,
        run: `r${index}`,
        observedAt: START + index * DAY,
        subjects: [{ name: 'holdout.parquet', digest: { sha256: 'c'.repeat(64) } }],
        measurements: [
          { name: 'accuracy', value: 0.9123 },
          { name: 'f1', value: 0.8812 },
        ],
      }),
    );
    expect(ofSignal(observeAll(items).observations, 'repeated_measurements')).toEqual([]);
  });

  it('does not compare a run with itself delivered again', () => {
    const items = dailyPerformance(40, 32);
    const again = { ...items[30]!, id: 'again', predicate: { ...items[30]!.predicate } };
    items.push(again);
    expect(ofSignal(observeAll(items).observations, 'repeated_measurements')).toEqual([]);
  });
});

describe('improvement_despite_data_change', () => {
  const runs = (order: 'performance first' | 'drift first', gained: number, drifted: boolean) => {
    const random = seeded(41);
    return Array.from({ length: 60 }, (_, index) => {
      const special = index === 50;
      const run = evidence({
        id: `e${index}`,
        run: `r${index}`,
        observedAt: START + index * DAY,
        measurements: performance(random, special ? gained : 0),
      });
      const report = drift(index, special && drifted);
      return order === 'performance first' ? [run, report] : [report, run];
    }).flat();
  };

  it('reports a sharp improvement in a run whose drift report says the data changed, in either order', () => {
    for (const order of ['performance first', 'drift first'] as const) {
      const found = ofSignal(observeAll(runs(order, 7, true)).observations, 'improvement_despite_data_change');
      expect(found).toHaveLength(1);
      expect(new Set(found[0]!.evidenceIds)).toEqual(new Set(['e50', 'd50']));
      expect(found[0]!.explanation).toContain('dataset_drift = true');
    }
  });

  it('stays quiet on an improvement without a data change, and on a degradation with one', () => {
    expect(
      ofSignal(observeAll(runs('performance first', 7, false)).observations, 'improvement_despite_data_change'),
    ).toEqual([]);
    expect(
      ofSignal(observeAll(runs('performance first', -7, true)).observations, 'improvement_despite_data_change'),
    ).toEqual([]);
  });
});

describe('deadline_clustering', () => {
  const week = 7 * DAY;
  const within = scope({ freshnessMs: { data_quality: week }, expectedIntervalMs: { data_quality: DAY } });
  const quality = (id: string, observedAt: number) =>
    evidence({ id, kind: 'data_quality', observedAt, checks: [{ name: 'not_null', status: 'pass' }] });

  it('reports data-quality evidence that arrives just before each freshness deadline instead of daily', () => {
    const items = Array.from({ length: 20 }, (_, index) => quality(`q${index}`, START + index * DAY));
    let last = START + 19 * DAY;
    for (let index = 0; index < 5; index += 1) {
      last += week * 0.985;
      items.push(quality(`late${index}`, last));
    }
    const found = ofSignal(observeAll(items, within).observations, 'deadline_clustering');
    expect(found).toHaveLength(1);
    expect(found[0]!.evidenceIds).toEqual(['late2', 'late1', 'late0']);
    expect(found[0]!.explanation).toContain('the rhythm the scope promises');
  });

  it('stays quiet for a daily pipeline whose freshness window is just above a day', () => {
    const tight = scope({ freshnessMs: { data_quality: 25 * 3_600_000 } });
    const items = Array.from({ length: 60 }, (_, index) => quality(`q${index}`, START + index * DAY));
    expect(ofSignal(observeAll(items, tight).observations, 'deadline_clustering')).toEqual([]);
  });
});

describe('backdated_evidence', () => {
  it('reports evidence that claims to be days older than evidence the same key already delivered', () => {
    const items = dailyPerformance(40, 51);
    items.push(
      evidence({
        id: 'late',
        run: 'late',
        observedAt: START + 35 * DAY,
        appendedAt: START + 39 * DAY + 3_600_000,
        measurements: items[35]!.predicate.measurements.map((m) => ({ ...m, value: Number(m.value) + 0.001 })),
      }),
    );
    const found = ofSignal(observeAll(items).observations, 'backdated_evidence');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['late']);
    expect(found[0]!.explanation).toMatch(/4.* days before the ledger appended it/);
  });

  it('stays quiet on a backlog delivered in order after a collector outage', () => {
    const items = dailyPerformance(40, 52).map((item, index) =>
      index >= 30 && index < 34 ? { ...item, appendedAt: new Date(START + 34 * DAY + index * 1000) } : item,
    );
    expect(ofSignal(observeAll(items).observations, 'backdated_evidence')).toEqual([]);
  });
});

describe('model_digest_change', () => {
  const withModel = (items: AnomalyEvidence[], from: number, digest: string) =>
    items.map((item, index) =>
      index >= from
        ? {
            ...item,
            subjects: item.subjects.map((s) => (s.name === 'model.onnx' ? { ...s, digest: { sha256: digest } } : s)),
          }
        : item,
    );

  it('reports a model that changes under the same scope version, once', () => {
    const items = withModel(dailyPerformance(40, 61), 30, 'd'.repeat(64));
    const found = ofSignal(observeAll(items).observations, 'model_digest_change');
    expect(found.map((observation) => observation.evidenceIds)).toEqual([['e30', 'e29']]);
    expect(found[0]!.explanation).toContain('does not list the new digest');
  });

  it('stays quiet when a new approved scope version brings the model, and per-run data never counts', () => {
    const items = withModel(dailyPerformance(40, 62), 30, 'd'.repeat(64));
    const { observations } = (() => {
      const first = observeAll(items.slice(0, 30));
      const second = scope({ version: 2, modelDigests: ['d'.repeat(64)] });
      const rest = items.slice(30).flatMap((item) => observeEvidence(first.state, item, second));
      return { observations: [...first.observations, ...rest] };
    })();
    expect(ofSignal(observations, 'model_digest_change')).toEqual([]);
  });
});

describe('new_producer', () => {
  it('reports a tool, a submitter or a key that never reported the kind, after enough history', () => {
    const items = dailyPerformance(30, 71);
    items[20] = { ...items[20]!, predicate: { ...items[20]!.predicate, producer: { tool: 'notebook' } } };
    items[24] = {
      ...items[24]!,
      predicate: { ...items[24]!.predicate, submitter: { org: 'acme', subject: 'alice', role: 'auditee' } },
    };
    items[27] = { ...items[27]!, keyId: 'key-spare' };
    const found = ofSignal(observeAll(items).observations, 'new_producer');
    expect(found.map((observation) => observation.evidenceIds[0])).toEqual(['e20', 'e24', 'e27']);
    expect(found[1]!.explanation).toContain('auditee:alice');
  });

  it('learns a key rotated by a new scope version silently, and says nothing during the first evidence', () => {
    const items = dailyPerformance(30, 72).map((item, index) => (index >= 20 ? { ...item, keyId: 'key-2' } : item));
    items[3] = { ...items[3]!, predicate: { ...items[3]!.predicate, producer: { tool: 'other' } } };
    const first = observeAll(items.slice(0, 20));
    const rotated = items.slice(20).flatMap((item) => observeEvidence(first.state, item, scope({ version: 2 })));
    expect(ofSignal([...first.observations, ...rotated], 'new_producer')).toEqual([]);
  });
});
