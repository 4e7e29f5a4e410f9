import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, adaptText, evidenceOfKind, expectAdapterError, valueOf } from './helpers.ts';

describe('mlflow-mlmodel', () => {
  it('maps the sklearn MLmodel sample to model_architecture', () => {
    const result = adaptSample('mlflow-mlmodel/MLmodel');
    expect(result.format).toBe('mlflow-mlmodel');
    const evidence = evidenceOfKind(result, 'model_architecture');
    expect(evidence.measurements.filter((item) => item.name === 'flavor').map((item) => item.value)).toEqual([
      'python_function',
      'sklearn',
    ]);
    expect(valueOf(evidence, 'sklearn.sklearn_version')).toBe('1.2.0');
    expect(valueOf(evidence, 'signature.inputs')).toBe(13);
    expect(valueOf(evidence, 'signature.outputs')).toBe(1);
    expect(valueOf(evidence, 'signature.input', 'oldpeak')).toBe('double');
    expect(valueOf(evidence, 'signature.input', 'thal')).toBe('string');
    expect(valueOf(evidence, 'signature.output', 'target')).toBe('long');
    expect(valueOf(evidence, 'model_uuid')).toBe('b8f9fe56972e48f2b8c958a3afb9c85d');
    expect(evidence.producer).toMatchObject({
      tool: 'mlflow',
      toolVersion: '2.1.0',
      pipelineRunId: '596d2e7a-c7ed-4596-a4d2-a30755c0bfa5',
    });
    expect(evidence.observedAt).toBe('2022-12-23T00:24:59.939Z');
    expect(evidence.raw.mediaType).toBe('application/yaml');
  });

  it('reads a newer MLmodel with tensor signature, params and model size, without a run id', () => {
    const evidence = evidenceOfKind(adaptFixture('mlmodel-tensor.yaml'), 'model_architecture');
    expect(valueOf(evidence, 'signature.input', '#0')).toBe('tensor float32 [-1,3,224,224]');
    expect(valueOf(evidence, 'signature.output', '#0')).toBe('tensor float32 [-1,1000]');
    expect(valueOf(evidence, 'signature.params')).toBe(1);
    expect(valueOf(evidence, 'model_size_bytes')).toBe(4481946);
    expect(valueOf(evidence, 'pytorch.pytorch_version')).toBe('2.2.1');
    expect(evidence.producer.pipelineRunId).toBeUndefined();
    expect(evidence.producer.toolVersion).toBe('2.12.1');
  });

  it('reads an MLflow 3.17 sklearn MLmodel (skops serialization, model_id, prompts)', () => {
    const evidence = evidenceOfKind(adaptSample('mlflow-mlmodel/3.17.2/MLmodel'), 'model_architecture');
    expect(valueOf(evidence, 'sklearn.serialization_format')).toBe('skops');
    expect(valueOf(evidence, 'sklearn.pickled_model')).toBe('model.skops');
    expect(valueOf(evidence, 'signature.inputs')).toBe(30);
    expect(valueOf(evidence, 'signature.input', 'mean_radius')).toBe('double');
    expect(valueOf(evidence, 'signature.output', '#0')).toBe('tensor int64 [-1]');
    expect(valueOf(evidence, 'model_uuid')).toBe('m-a9397b63960842f08e5666a50a188a64');
    expect(valueOf(evidence, 'model_size_bytes')).toBe(40229);
    expect(evidence.producer).toMatchObject({
      toolVersion: '3.17.2',
      pipelineRunId: 'c6ca385f66ba4ae19be2d4f5b95c2b1a',
    });
    expect(evidence.observedAt).toBe('2026-12-02T12:46:35.825Z');
  });

  it('names the signature field that is not a JSON column list', () => {
    const text = 'flavors:\n  sklearn: {}\nsignature:\n  inputs: \'[{"name": "a"\'\n';
    expectAdapterError(() => adaptText(text, {}, 'MLmodel'), 'invalid', 'signature.inputs');
  });

  it('reports malformed YAML in a file named MLmodel with its line', () => {
    const error = expectAdapterError(() => adaptText('flavors:\n  sklearn: {\n', {}, 'MLmodel'), 'malformed');
    expect(error.line).toBeGreaterThan(1);
  });
});
