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

describe('hf-model-card', () => {
  it('maps the Trainer card: card fields and one performance result', () => {
    const result = adaptSample('hf-model-card/README.md');
    expect(result.format).toBe('hf-model-card');
    expect(result.evidence.map((item) => item.kind)).toEqual(['model_card', 'performance']);
    const card = evidenceOfKind(result, 'model_card');
    expect(valueOf(card, 'license')).toBe('mit');
    expect(valueOf(card, 'datasets')).toBe('glue');
    expect(valueOf(card, 'model_name')).toBe('deberta-large-finetuned-cola');
    expect(checkNamed(card, 'present:license').status).toBe('pass');
    expect(checkNamed(card, 'present:base_model').status).toBe('warn');
    expect(card.raw.mediaType).toBe('text/markdown');

    const performance = evidenceOfKind(result, 'performance');
    expect(valueOf(performance, 'matthews_correlation')).toBe(0.6405601442104573);
    expect(valueOf(performance, 'task')).toBe('text-classification');
    expect(performance.context).toEqual({ dataset: 'glue', slice: 'cola', split: 'train' });
  });

  it('reads a CRLF card with two results and text metric values', () => {
    const result = adaptFixture('hf-model-card-two-results.md');
    expect(result.format).toBe('hf-model-card');
    expect(result.evidence.map((item) => item.kind)).toEqual(['model_card', 'performance', 'performance']);
    const card = evidenceOfKind(result, 'model_card');
    expect(card.measurements.filter((item) => item.name === 'language').map((item) => item.value)).toEqual([
      'en',
      'de',
    ]);
    expect(valueOf(card, 'base_model')).toBe('bert-base-multilingual-cased');
    expect(card.checks.every((item) => item.status === 'pass')).toBe(true);
    const [squad, germanquad] = result.evidence.slice(1);
    expect(squad?.context).toEqual({ dataset: 'squad_v2', split: 'validation' });
    expect(squad && valueOf(squad, 'exact_match')).toBe(78.4);
    expect(squad && unitOf(squad, 'exact_match')).toBe('%');
    expect(squad && valueOf(squad, 'f1')).toBe(81.9);
    expect(germanquad?.context).toEqual({ dataset: 'deepset/germanquad', slice: 'default', split: 'test' });
    expect(germanquad && valueOf(germanquad, 'F1')).toBe(0.72);
  });

  it('refuses a forced card without front matter', () => {
    expectAdapterError(() => adaptText('# Just a README\n', { format: 'hf-model-card' }), 'invalid');
  });
});
