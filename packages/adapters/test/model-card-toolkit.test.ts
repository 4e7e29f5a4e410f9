import { describe, expect, it } from 'vitest';
import {
  adaptFixture,
  adaptSample,
  adaptText,
  checkNamed,
  evidenceOfKind,
  expectAdapterError,
  unitOf,
  valueOf,
} from './helpers.ts';

describe('model-card-toolkit', () => {
  it('parses the string values of schema 0.0.2', () => {
    const result = adaptSample('model-card-toolkit/cats_vs_dogs_v0_0_2.json');
    expect(result.format).toBe('model-card-toolkit');
    const performance = evidenceOfKind(result, 'performance');
    expect(valueOf(performance, 'accuracy')).toBe(0.9781249761581421);
    expect(valueOf(performance, 'accuracy', 'cat')).toBe(0.9932885766029358);
    expect(valueOf(performance, 'accuracy', 'Dog')).toBe(0.9649122953414917);
    expect(valueOf(performance, 'accuracy.ci_lower', 'Dog')).toBe(0.95491229534);
    expect(valueOf(performance, 'accuracy.ci_upper', 'cat')).toBe(1.0032885766);
    expect(valueOf(performance, 'accuracy.threshold')).toBe(0.5);
    const card = evidenceOfKind(result, 'model_card');
    expect(valueOf(card, 'schema_version')).toBe('0.0.2');
    expect(valueOf(card, 'license')).toBe('Apache-2.0');
    expect(valueOf(card, 'owner')).toBe('Model Cards Team');
    expect(valueOf(card, 'reference_count')).toBe(2);
    expect(valueOf(card, 'considerations.limitations')).toBe(1);
    expect(card.checks.every((item) => item.status === 'pass')).toBe(true);
  });

  it('reads schema 0.0.1: numbers, plain-string lists, a percentage text', () => {
    const result = adaptFixture('mct-v0_0_1.json');
    const performance = evidenceOfKind(result, 'performance');
    expect(valueOf(performance, 'accuracy')).toBe(0.862);
    expect(valueOf(performance, 'accuracy.ci_lower', 'sex=Female')).toBe(0.83);
    expect(valueOf(performance, 'recall', 'sex=Female')).toBe(61.5);
    expect(unitOf(performance, 'recall', 'sex=Female')).toBe('%');
    const card = evidenceOfKind(result, 'model_card');
    expect(valueOf(card, 'license')).toBe('Apache-2.0');
    expect(valueOf(card, 'reference_count')).toBe(1);
    expect(card.measurements.filter((item) => item.name === 'dataset').map((item) => item.value)).toEqual([
      'adult.data',
      'adult.test',
    ]);
    expect(valueOf(card, 'model_architecture')).toBe('Gradient boosted trees');
    expect(valueOf(card, 'considerations.tradeoffs')).toBe(0);
    expect(checkNamed(card, 'present:ethical_considerations').status).toBe('pass');
  });

  it('requires a metric type', () => {
    const text = JSON.stringify({
      model_details: { name: 'm' },
      quantitative_analysis: { performance_metrics: [{ value: 0.9 }] },
    });
    expectAdapterError(() => adaptText(text), 'invalid', 'quantitative_analysis.performance_metrics[0].type');
  });
});
