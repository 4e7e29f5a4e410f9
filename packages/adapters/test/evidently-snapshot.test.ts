import { describe, expect, it } from 'vitest';
import {
  adaptFixture,
  adaptSample,
  adaptText,
  checkNamed,
  evidenceOfKind,
  FALLBACK_TIME,
  statusCounts,
  valueOf,
} from './helpers.ts';

describe('evidently-snapshot', () => {
  it('maps the 0.7 drift report to the drift convention', () => {
    const result = adaptSample('evidently/drift_report.json');
    expect(result.format).toBe('evidently-snapshot');
    const drift = evidenceOfKind(result, 'drift');
    expect(result.evidence).toHaveLength(1);
    expect(valueOf(drift, 'number_of_drifted_columns')).toBe(0);
    expect(valueOf(drift, 'drift_share')).toBe(0);
    expect(valueOf(drift, 'drift_share_threshold')).toBe(0.5);
    expect(valueOf(drift, 'dataset_drift')).toBe(false);
    expect(valueOf(drift, 'drift_score', 'year')).toBe(0.0034023211309151934);
    expect(valueOf(drift, 'drift_score', 'make_aston martin')).toBe(0.0013183302452591495);
    expect(drift.measurements.filter((item) => item.name === 'drift_score')).toHaveLength(59);
    // The file holds no per-column verdict and no tests.
    expect(drift.checks).toEqual([]);
    expect(drift.observedAt).toBe(FALLBACK_TIME);
  });

  it('accepts metric_name instead of metric_id and links tests to their metrics', () => {
    const result = adaptFixture('evidently-snapshot-metric-name.json');
    expect(result.format).toBe('evidently-snapshot');
    expect(result.evidence.map((item) => item.kind)).toEqual(['drift', 'data_quality', 'performance']);
    const drift = evidenceOfKind(result, 'drift');
    expect(valueOf(drift, 'drift_share')).toBe(0.4);
    expect(valueOf(drift, 'drift_share_threshold')).toBe(0.3);
    expect(valueOf(drift, 'dataset_drift')).toBe(true);
    expect(valueOf(drift, 'number_of_drifted_columns')).toBe(2);
    expect(valueOf(drift, 'drift_score', 'age')).toBe(0.27);
    expect(checkNamed(drift, 'drift:age').status).toBe('fail');
    expect(checkNamed(drift, 'drift:income').status).toBe('pass');
    const quality = evidenceOfKind(result, 'data_quality');
    expect(valueOf(quality, 'RowCount')).toBe(5000);
    expect(valueOf(quality, 'MissingValueCount.share', 'age')).toBe(0.0024);
    expect(checkNamed(quality, 'Missing values: Count [age]').status).toBe('fail');
    expect(valueOf(evidenceOfKind(result, 'performance'), 'Accuracy')).toBe(0.87);
    expect(drift.observedAt).toBe('2025-03-04T10:20:30.123Z');
  });

  it('maps the 0.7.23 output (hash ids, metric_name, config) of a drift + classification report', () => {
    const result = adaptSample('evidently/breast_cancer_0.7.23.json');
    expect(result.format).toBe('evidently-snapshot');
    expect(result.evidence.map((item) => item.kind)).toEqual(['drift', 'performance']);
    const drift = evidenceOfKind(result, 'drift');
    expect(valueOf(drift, 'dataset_drift')).toBe(false);
    expect(valueOf(drift, 'drift_share')).toBe(0);
    expect(valueOf(drift, 'drift_share_threshold')).toBe(0.5);
    expect(drift.measurements.filter((item) => item.name === 'drift_score')).toHaveLength(30);
    expect(valueOf(drift, 'drift_score', 'mean_radius')).toBe(0.46971104405280134);
    // Tests are linked to their metric through the metric's hash id.
    expect(checkNamed(drift, 'drift:mean_radius').status).toBe('pass');
    expect(checkNamed(drift, 'Share of Drifted Columns: Less 0.500').status).toBe('pass');
    expect(drift.checks).toHaveLength(31);
    const performance = evidenceOfKind(result, 'performance');
    expect(valueOf(performance, 'Accuracy')).toBe(0.9824561403508771);
    expect(valueOf(performance, 'RocAuc')).toBe(0.9926985981308412);
    expect(valueOf(performance, 'F1ByLabel.1')).toBe(0.9861751152073732);
    // Evidently's automatic tests against the reference: three of the ten miss their ± band.
    expect(statusCounts(performance.checks)).toEqual({ pass: 7, warn: 0, fail: 3, error: 0 });
    // The file has neither a time nor a version.
    expect(drift.observedAt).toBe(FALLBACK_TIME);
    expect(drift.producer.toolVersion).toBeUndefined();
  });

  it('sees the drift and the failed tests of the degraded 0.7.23 run', () => {
    const drift = evidenceOfKind(adaptSample('evidently/breast_cancer_drifted_0.7.23.json'), 'drift');
    expect(valueOf(drift, 'number_of_drifted_columns')).toBe(15);
    expect(valueOf(drift, 'drift_share')).toBe(0.5);
    expect(valueOf(drift, 'dataset_drift')).toBe(true);
    expect(checkNamed(drift, 'drift:mean_radius').status).toBe('fail');
    expect(checkNamed(drift, 'drift:mean_texture').status).toBe('pass');
    expect(checkNamed(drift, 'Share of Drifted Columns: Less 0.500').status).toBe('fail');
  });

  it("takes a metric's parameters from its config, where a comma inside a column name is no separator", () => {
    const column = 'income,net=gross';
    const result = adaptText(
      JSON.stringify({
        metrics: [
          {
            id: 'h1',
            metric_name: `ValueDrift(column=${column},method=psi,threshold=0.1)`,
            config: { type: 'evidently:metric_v2:ValueDrift', column, method: 'psi', threshold: 0.1 },
            value: 0.3,
          },
          {
            id: 'h2',
            metric_name: 'DriftedColumnsCount(columns=a,b,drift_share=0.25)',
            config: { type: 'evidently:metric_v2:DriftedColumnsCount', columns: ['a', 'b'], drift_share: 0.25 },
            value: { count: 1, share: 0.5 },
          },
        ],
        tests: [],
      }),
    );
    const drift = evidenceOfKind(result, 'drift');
    expect(valueOf(drift, 'drift_score', column)).toBe(0.3);
    expect(valueOf(drift, 'drift_share_threshold')).toBe(0.25);
    expect(valueOf(drift, 'dataset_drift')).toBe(true);
  });
});
