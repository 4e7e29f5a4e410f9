import { describe, expect, it } from 'vitest';
import {
  adaptFixture,
  adaptSample,
  checkNamed,
  evidenceOfKind,
  expectAdapterError,
  FALLBACK_TIME,
  valueOf,
} from './helpers.ts';

describe('mlflow-run', () => {
  it('maps the runs/get sample: metrics to performance, params to model_parameters', () => {
    const result = adaptSample('mlflow-run/run_raw.json');
    expect(result.format).toBe('mlflow-run');
    const performance = evidenceOfKind(result, 'performance');
    expect(valueOf(performance, 'rmse')).toBe(0.7367947360663162);
    expect(valueOf(performance, 'r2')).toBe(0.28100217442439346);
    expect(valueOf(performance, 'mae')).toBe(0.5877424565761121);
    expect(checkNamed(performance, 'run_status').status).toBe('pass');
    expect(performance.producer).toEqual({
      tool: 'mlflow',
      adapter: '@cabc/adapters/mlflow-run@1',
      pipelineRunId: '42ef213547e5442fb66c0525abb05e10',
      uri: '/opt/mlflow/mlruns/2/42ef213547e5442fb66c0525abb05e10/artifacts',
    });
    // end_time 1695434326706 ms
    expect(performance.observedAt).toBe('2023-09-23T01:58:46.706Z');
    expect(performance.context).toEqual({ dataset: 'wine_quality_white', split: 'training' });

    const parameters = evidenceOfKind(result, 'model_parameters');
    expect(parameters.measurements).toEqual([
      { name: 'max_depth', value: 4 },
      { name: 'max_leaf_nodes', value: 32 },
    ]);
  });

  it('accepts the bare run object of a failed run with protobuf-style values', () => {
    const result = adaptFixture('mlflow-run-bare-failed.json');
    expect(result.format).toBe('mlflow-run');
    const performance = evidenceOfKind(result, 'performance');
    const status = checkNamed(performance, 'run_status');
    expect(status).toEqual({ name: 'run_status', status: 'fail', detail: 'FAILED' });
    expect(valueOf(performance, 'accuracy')).toBe(0.912);
    expect(valueOf(performance, 'val_loss')).toBeNull();
    // No end_time: start_time, written as a string of digits.
    expect(performance.observedAt).toBe('2024-06-01T10:00:00.000Z');
    expect(performance.producer.pipelineRunId).toBe('9d1e3c2b7a6f4e0d8c5b4a3921f0e7d6');
    expect(performance.context).toEqual({});
    const parameters = evidenceOfKind(result, 'model_parameters');
    expect(valueOf(parameters, 'learning_rate')).toBe(0.001);
    expect(valueOf(parameters, 'optimizer')).toBe('adam');
    expect(valueOf(parameters, 'use_amp')).toBe('True');
    expect(performance.observedAt).not.toBe(FALLBACK_TIME);
  });

  it('maps the runs/get answer of an MLflow 3.17 server (logged-model outputs beside the run)', () => {
    const result = adaptSample('mlflow-run/breast_cancer_run_3.17.2.json');
    expect(result.format).toBe('mlflow-run');
    const performance = evidenceOfKind(result, 'performance');
    expect(performance.measurements.map((item) => item.name)).toEqual([
      'accuracy',
      'f1',
      'precision',
      'recall',
      'roc_auc',
    ]);
    expect(valueOf(performance, 'accuracy')).toBe(0.9824561403508771);
    expect(checkNamed(performance, 'run_status').status).toBe('pass');
    expect(performance.context).toEqual({ dataset: 'breast-cancer-holdout', split: 'test' });
    expect(performance.observedAt).toBe('2026-12-02T12:46:56.616Z');
    expect(performance.producer).toMatchObject({
      pipelineRunId: 'c6ca385f66ba4ae19be2d4f5b95c2b1a',
      uri: 'mlflow-artifacts:/1/c6ca385f66ba4ae19be2d4f5b95c2b1a/artifacts',
    });
    const parameters = evidenceOfKind(result, 'model_parameters');
    expect(valueOf(parameters, 'C')).toBe(1);
    expect(valueOf(parameters, 'shuffled_labels')).toBe('False');
    expect(valueOf(parameters, 'model')).toBe('logistic_regression');
  });

  it('names the metric whose value has the wrong type', () => {
    expectAdapterError(() => adaptFixture('mlflow-run-wrong-type.json'), 'invalid', 'run.data.metrics[1].value');
  });
});
