import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, checkNamed, evidenceOfKind, statusCounts, valueOf } from './helpers.ts';

describe('deepchecks', () => {
  it('unwraps the double-encoded data integrity suite', () => {
    const result = adaptSample('deepchecks/deepchecks_report.json');
    expect(result.format).toBe('deepchecks');
    const evidence = evidenceOfKind(result, 'data_quality');
    expect(valueOf(evidence, 'suite_name')).toBe('Data Integrity Suite');
    // 11 CheckResults (10 with a condition) and 1 CheckFailure.
    expect(statusCounts(evidence.checks)).toEqual({ pass: 8, warn: 0, fail: 2, error: 1 });
    expect(
      checkNamed(evidence, "Feature Label Correlation: Features' Predictive Power Score is less than 0.8").status,
    ).toBe('fail');
    expect(checkNamed(evidence, 'Identifier Label Correlation')).toEqual({
      name: 'Identifier Label Correlation',
      status: 'error',
      detail: 'Dataset does not contain an index or a datetime',
    });
    expect(valueOf(evidence, 'Feature Label Correlation', 'petal width (cm)')).toBe(0.9259248310419574);
    expect(valueOf(evidence, 'Data Duplicates')).toBe(0.00666666666666671);
    expect(valueOf(evidence, 'Conflicting Labels.percent_of_conflicting_samples')).toBe(0);
  });

  it('reads a single-encoded model evaluation suite with Passed/Warning/Failed words', () => {
    const evidence = evidenceOfKind(adaptFixture('deepchecks-model-evaluation-single.json'), 'performance');
    expect(statusCounts(evidence.checks)).toEqual({ pass: 1, warn: 1, fail: 1, error: 1 });
    expect(
      checkNamed(evidence, 'Weak Segments Performance: The relative performance of weakest segment is greater than 80%')
        .status,
    ).toBe('warn');
    expect(valueOf(evidence, 'Simple Model Comparison', 'F1')).toBe(0.88);
    expect(valueOf(evidence, 'Weak Segments Performance')).toBe(0.61);
    expect(valueOf(evidence, 'Prediction Drift.Drift score')).toBe(0.31);
  });
});
