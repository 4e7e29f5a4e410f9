import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptText, evidenceOfKind, expectAdapterError, valueOf } from './helpers.ts';

describe('cabc-feature-importance', () => {
  it('maps each feature to an importance measurement sliced by feature', () => {
    const evidence = evidenceOfKind(adaptFixture('cabc-feature-importance.json'), 'feature_importance');
    expect(valueOf(evidence, 'importance', 'income')).toBe(0.21);
    expect(valueOf(evidence, 'importance_std', 'income')).toBe(0.04);
    expect(valueOf(evidence, 'importance', 'debt_ratio')).toBe(-0.34);
    expect(valueOf(evidence, 'top_feature')).toBe('debt_ratio');
    expect(valueOf(evidence, 'feature_count')).toBe(3);
    expect(valueOf(evidence, 'method')).toBe('mean_abs_shap');
    expect(evidence.context).toEqual({ dataset: 'loan-applications-2024', slice: 'approved' });
    expect(evidence.observedAt).toBe('2025-02-03T09:00:00.000Z');
  });

  it('names the feature without a name', () => {
    const text = JSON.stringify({
      format: 'cabc-feature-importance/v1',
      method: 'permutation',
      features: [{ importance: 0.1 }],
    });
    expectAdapterError(() => adaptText(text), 'invalid', 'features[0].name');
  });
});
