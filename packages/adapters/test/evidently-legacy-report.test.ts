import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, checkNamed, evidenceOfKind, FALLBACK_TIME, valueOf } from './helpers.ts';

describe('evidently-legacy-report', () => {
  it('splits the 0.3.3 report into data_quality and drift evidence', () => {
    const result = adaptSample('evidently/report.json');
    expect(result.format).toBe('evidently-legacy-report');
    expect(result.evidence.map((item) => item.kind)).toEqual(['data_quality', 'drift']);

    const quality = evidenceOfKind(result, 'data_quality');
    expect(valueOf(quality, 'mean', 'AveRooms')).toBe(5.37);
    expect(valueOf(quality, 'missing_percentage', 'AveRooms')).toBe(0);
    expect(valueOf(quality, 'quantile_0.25', 'MedInc')).toBe(2.56195);
    expect(quality.producer).toMatchObject({ tool: 'evidently', toolVersion: '0.3.3' });
    expect(quality.observedAt).toBe('2023-06-20T13:32:04.720Z');

    const drift = evidenceOfKind(result, 'drift');
    expect(valueOf(drift, 'dataset_drift')).toBe(false);
    // drift_share is the observed share of drifted columns; the file's own `drift_share` is the threshold.
    expect(valueOf(drift, 'drift_share')).toBe(0);
    expect(valueOf(drift, 'drift_share_threshold')).toBe(0.5);
    expect(valueOf(drift, 'number_of_drifted_columns')).toBe(0);
    expect(valueOf(drift, 'number_of_columns')).toBe(10);
    expect(valueOf(drift, 'drift_score', 'target')).toBe(0.02878088541533555);
    expect(drift.measurements.filter((item) => item.name === 'drift_score')).toHaveLength(10);
    expect(checkNamed(drift, 'drift:Population')).toMatchObject({ status: 'pass' });
    expect(drift.checks).toHaveLength(10);
  });

  it('reads a later 0.4 report with ColumnDriftMetric, generic metrics and unknown keys', () => {
    const result = adaptFixture('evidently-report-0.4.json');
    expect(result.evidence.map((item) => item.kind)).toEqual(['drift', 'data_quality', 'performance', 'evaluation']);
    const drift = evidenceOfKind(result, 'drift');
    expect(valueOf(drift, 'drift_score', 'income')).toBe(0.0031);
    expect(checkNamed(drift, 'drift:income')).toEqual({
      name: 'drift:income',
      status: 'fail',
      detail: 'drift detected (K-S p_value, score 0.0031, threshold 0.05)',
    });
    const quality = evidenceOfKind(result, 'data_quality');
    expect(valueOf(quality, 'DatasetMissingValuesMetric.current.number_of_missing_values')).toBe(14);
    // Reference values are the baseline, not the observation.
    expect(quality.measurements.some((item) => item.name.includes('reference'))).toBe(false);
    const performance = evidenceOfKind(result, 'performance');
    expect(valueOf(performance, 'RegressionQualityMetric.current.rmse')).toBe(3.1);
    expect(valueOf(evidenceOfKind(result, 'evaluation'), 'SomeFutureMetric.score')).toBe(7);
    expect(drift.observedAt).toBe(FALLBACK_TIME);
  });
});
