import { describe, expect, it } from 'vitest';
import {
  adaptFixture,
  adaptSample,
  adaptText,
  checkNamed,
  evidenceOfKind,
  statusCounts,
  unitOf,
  valueOf,
} from './helpers.ts';

describe('great-expectations', () => {
  it('maps the 0.13 validation result and recounts the null statistics', () => {
    const result = adaptSample('great-expectations/taxi_long.json');
    expect(result.format).toBe('great-expectations');
    const evidence = evidenceOfKind(result, 'data_quality');
    expect(valueOf(evidence, 'evaluated_expectations')).toBe(19);
    // successful/unsuccessful_expectations are null in the file.
    expect(valueOf(evidence, 'successful_expectations')).toBe(9);
    expect(valueOf(evidence, 'unsuccessful_expectations')).toBe(10);
    expect(valueOf(evidence, 'success_percent')).toBe(47.368421052631575);
    expect(unitOf(evidence, 'success_percent')).toBe('%');
    expect(valueOf(evidence, 'success')).toBe(false);
    expect(evidence.checks).toHaveLength(19);
    expect(statusCounts(evidence.checks)).toEqual({ pass: 9, warn: 0, fail: 10, error: 0 });
    expect(checkNamed(evidence, 'expect_column_min_to_be_between:passenger_count').status).toBe('fail');
    expect(checkNamed(evidence, 'expect_table_row_count_to_be_between').status).toBe('pass');
    expect(valueOf(evidence, 'expect_column_mean_to_be_between.observed_value', 'trip_distance')).toBe(2.849045);
    expect(evidence.observedAt).toBe('2021-08-12T19:14:16.211Z');
    expect(evidence.producer).toMatchObject({
      tool: 'great_expectations',
      toolVersion: '0.13.26',
      pipelineRunId: '20210812-191416-my-run-name-template',
    });
    expect(evidence.context).toEqual({ dataset: 'yellow_tripdata_sample_2019-02.csv' });
    expect(valueOf(evidence, 'suite_name')).toBe('taxi.sopas');
  });

  it('reads 1.x keys (type, suite_name) and maps a raised exception to error', () => {
    const evidence = evidenceOfKind(adaptFixture('gx-1x-validation.json'), 'data_quality');
    expect(valueOf(evidence, 'suite_name')).toBe('orders_suite');
    expect(valueOf(evidence, 'successful_expectations')).toBe(1);
    expect(valueOf(evidence, 'success_percent')).toBe(33.33333333333333);
    expect(checkNamed(evidence, 'expect_column_values_to_not_be_null:order_id').status).toBe('pass');
    expect(checkNamed(evidence, 'expect_column_values_to_be_between:amount').status).toBe('fail');
    expect(checkNamed(evidence, 'expect_column_pair_values_a_to_be_greater_than_b:shipped_at,ordered_at')).toEqual({
      name: 'expect_column_pair_values_a_to_be_greater_than_b:shipped_at,ordered_at',
      status: 'error',
      detail: 'Column shipped_at does not exist',
    });
    expect(valueOf(evidence, 'expect_column_values_to_be_between.unexpected_percent', 'amount')).toBe(0.6);
    expect(evidence.observedAt).toBe('2025-01-10T10:15:00.500Z');
    expect(evidence.producer.toolVersion).toBe('1.3.5');
    expect(evidence.producer.pipelineRunId).toBeUndefined();
    expect(evidence.context).toEqual({ dataset: 'orders' });
  });

  it('maps a GX 1.24 validation result as the tool writes it', () => {
    const result = adaptSample('great-expectations/breast_cancer_1.24.1.json');
    expect(result.format).toBe('great-expectations');
    const evidence = evidenceOfKind(result, 'data_quality');
    expect(valueOf(evidence, 'suite_name')).toBe('holdout-quality');
    expect(valueOf(evidence, 'success')).toBe(true);
    expect(valueOf(evidence, 'evaluated_expectations')).toBe(9);
    expect(statusCounts(evidence.checks)).toEqual({ pass: 9, warn: 0, fail: 0, error: 0 });
    expect(valueOf(evidence, 'expect_table_row_count_to_be_between.observed_value')).toBe(171);
    expect(evidence.producer).toMatchObject({ tool: 'great_expectations', toolVersion: '1.24.1' });
    expect(evidence.producer.pipelineRunId).toBeUndefined();
    expect(evidence.context).toEqual({ dataset: 'breast-cancer-holdout' });
    expect(evidence.observedAt).toBe('2026-12-02T12:47:17.769Z');
  });

  it('fails the expectations the degraded data breaks', () => {
    const evidence = evidenceOfKind(
      adaptSample('great-expectations/breast_cancer_failing_1.24.1.json'),
      'data_quality',
    );
    expect(valueOf(evidence, 'success')).toBe(false);
    expect(valueOf(evidence, 'unsuccessful_expectations')).toBe(2);
    expect(statusCounts(evidence.checks)).toEqual({ pass: 7, warn: 0, fail: 2, error: 0 });
    expect(checkNamed(evidence, 'expect_column_values_to_be_between:mean_radius').status).toBe('fail');
    expect(checkNamed(evidence, 'expect_column_mean_to_be_between:mean_smoothness').status).toBe('fail');
  });

  it('maps a failed expectation of severity warning or info to warn, critical to fail', () => {
    const failed = (column: string, severity?: string) => ({
      success: false,
      expectation_config: {
        type: 'expect_column_values_to_not_be_null',
        kwargs: { column },
        ...(severity ? { severity } : {}),
      },
      result: { unexpected_percent: 5 },
    });
    const evidence = evidenceOfKind(
      adaptText(
        JSON.stringify({
          success: false,
          suite_name: 'orders',
          results: [failed('a', 'critical'), failed('b', 'warning'), failed('c', 'info'), failed('d')],
          statistics: { evaluated_expectations: 4, successful_expectations: 0 },
        }),
      ),
      'data_quality',
    );
    expect(evidence.checks.map((item) => [item.name, item.status])).toEqual([
      ['expect_column_values_to_not_be_null:a', 'fail'],
      ['expect_column_values_to_not_be_null:b', 'warn'],
      ['expect_column_values_to_not_be_null:c', 'warn'],
      ['expect_column_values_to_not_be_null:d', 'fail'],
    ]);
    expect(JSON.parse(checkNamed(evidence, 'expect_column_values_to_not_be_null:b').detail!)).toMatchObject({
      severity: 'warning',
    });
  });
});
