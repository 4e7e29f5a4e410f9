import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, checkNamed, evidenceOfKind, statusCounts, valueOf } from './helpers.ts';

describe('evidently-legacy-test-suite', () => {
  it('maps the 40 tests of the sample, 4 of them failing, to checks grouped by kind', () => {
    const result = adaptSample('evidently/test_suite.json');
    expect(result.format).toBe('evidently-legacy-test-suite');
    expect(result.evidence.map((item) => item.kind)).toEqual(['data_quality', 'drift', 'performance']);
    const testCounts = result.evidence.map((item) => ({
      total: valueOf(item, 'total_tests') as number,
      failed: valueOf(item, 'failed_tests') as number,
    }));
    expect(testCounts.reduce((sum, item) => sum + item.total, 0)).toBe(40);
    expect(testCounts.reduce((sum, item) => sum + item.failed, 0)).toBe(4);

    const quality = evidenceOfKind(result, 'data_quality');
    expect(valueOf(quality, 'total_tests')).toBe(34);
    expect(valueOf(quality, 'success_tests')).toBe(30);
    expect(statusCounts(quality.checks)).toEqual({ pass: 30, warn: 0, fail: 4, error: 0 });
    expect(
      quality.checks
        .filter((item) => item.status === 'fail')
        .map((item) => item.name)
        .sort(),
    ).toEqual([
      'Share of Out-of-Range Values [AveOccup]',
      'Share of Out-of-Range Values [HouseAge]',
      'Share of Out-of-Range Values [Latitude]',
      'Share of Out-of-Range Values [Population]',
    ]);

    const drift = evidenceOfKind(result, 'drift');
    expect(valueOf(drift, 'number_of_drifted_columns')).toBe(0);
    expect(valueOf(drift, 'number_of_columns')).toBe(10);
    expect(valueOf(drift, 'drift_share')).toBe(0);
    expect(valueOf(drift, 'drift_score', 'Population')).toBe(0.023);
    expect(checkNamed(drift, 'drift:MedInc').status).toBe('pass');

    const performance = evidenceOfKind(result, 'performance');
    expect(performance.checks.map((item) => item.name)).toContain('Root Mean Square Error (RMSE)');
    expect(performance.observedAt).toBe('2023-06-20T13:34:20.813Z');
  });

  it('maps WARNING, ERROR and SKIPPED of an older suite without summary', () => {
    const result = adaptFixture('evidently-test-suite-statuses.json');
    expect(result.format).toBe('evidently-legacy-test-suite');
    const performance = evidenceOfKind(result, 'performance');
    expect(statusCounts(performance.checks)).toEqual({ pass: 1, warn: 1, fail: 0, error: 0 });
    expect(valueOf(performance, 'warning_tests')).toBe(1);
    const drift = evidenceOfKind(result, 'drift');
    expect(checkNamed(drift, 'drift:income').status).toBe('fail');
    expect(checkNamed(drift, 'Drift per Column [income]').status).toBe('fail');
    expect(checkNamed(evidenceOfKind(result, 'data_quality'), 'Number of Rows').status).toBe('error');
    const skipped = checkNamed(evidenceOfKind(result, 'evaluation'), 'Custom Business Test');
    expect(skipped).toEqual({ name: 'Custom Business Test', status: 'error', detail: 'skipped: not applicable' });
  });
});
