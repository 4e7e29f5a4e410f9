import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, checkNamed, evidenceOfKind, FALLBACK_TIME, valueOf } from './helpers.ts';

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
});
