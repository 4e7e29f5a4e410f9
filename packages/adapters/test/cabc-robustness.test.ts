import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptText, checkNamed, evidenceOfKind, expectAdapterError, valueOf } from './helpers.ts';

describe('cabc-robustness', () => {
  it('maps each attack to measurements sliced by attack, norm and eps, with threshold checks', () => {
    const result = adaptFixture('cabc-robustness.json');
    expect(result.format).toBe('cabc-robustness');
    const evidence = evidenceOfKind(result, 'robustness');
    expect(valueOf(evidence, 'adversarial_accuracy', 'fgsm linf eps=0.03')).toBe(0.41);
    expect(valueOf(evidence, 'accuracy_drop', 'pgd linf eps=0.03')).toBe(0.71);
    expect(valueOf(evidence, 'worst_adversarial_accuracy')).toBe(0.22);
    expect(valueOf(evidence, 'samples', 'fgsm linf eps=0.03')).toBe(1000);
    expect(checkNamed(evidence, 'robustness:adversarial_accuracy[fgsm linf eps=0.03]').status).toBe('pass');
    expect(checkNamed(evidence, 'robustness:adversarial_accuracy[pgd linf eps=0.03]')).toEqual({
      name: 'robustness:adversarial_accuracy[pgd linf eps=0.03]',
      status: 'fail',
      detail: '0.22 (min 0.3)',
    });
    expect(checkNamed(evidence, 'robustness:accuracy_drop[pgd linf eps=0.03]').status).toBe('fail');
    expect(evidence.subjects).toEqual([
      {
        name: 'resnet50-retail',
        digest: { sha256: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' },
      },
    ]);
    expect(evidence.producer).toMatchObject({
      tool: 'adversarial-robustness-toolbox',
      toolVersion: '1.17.1',
      pipelineRunId: 'gha-8812',
    });
    expect(evidence.observedAt).toBe('2025-02-01T11:00:00.000Z');
    expect(evidence.context).toEqual({ dataset: 'retail-shelves-v3', split: 'test' });
  });

  it('names the field with the wrong type', () => {
    const error = expectAdapterError(
      () => adaptFixture('cabc-robustness-wrong-types.json'),
      'invalid',
      'attacks[1].clean_accuracy',
    );
    expect(error.message).toContain('expected number');
  });

  it('refuses an unknown major version of the format', () => {
    expectAdapterError(
      () => adaptText('{"format": "cabc-robustness/v2", "attacks": []}'),
      'unsupported_version',
      'format',
    );
  });

  it('requires at least one attack', () => {
    expectAdapterError(() => adaptText('{"format": "cabc-robustness/v1", "attacks": []}'), 'invalid', 'attacks');
  });
});
