import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptText, checkNamed, evidenceOfKind, expectAdapterError, valueOf } from './helpers.ts';

describe('cabc-fairness', () => {
  it('maps groups and gaps to measurements and thresholds to checks', () => {
    const evidence = evidenceOfKind(adaptFixture('cabc-fairness.json'), 'fairness');
    expect(valueOf(evidence, 'selection_rate', 'gender=female')).toBe(0.31);
    expect(valueOf(evidence, 'group_size', 'gender=male')).toBe(5210);
    expect(valueOf(evidence, 'demographic_parity_difference', 'gender')).toBe(0.07);
    expect(checkNamed(evidence, 'fairness:demographic_parity_difference')).toEqual({
      name: 'fairness:demographic_parity_difference',
      status: 'fail',
      detail: '0.07 (max 0.05)',
    });
    expect(checkNamed(evidence, 'fairness:equalized_odds_difference').status).toBe('pass');
    expect(checkNamed(evidence, 'fairness:true_positive_rate[female]').status).toBe('pass');
    expect(checkNamed(evidence, 'fairness:true_positive_rate[non-binary]').status).toBe('error');
    expect(checkNamed(evidence, 'fairness:calibration_gap').status).toBe('error');
    expect(evidence.producer).toMatchObject({ tool: 'fairlearn', toolVersion: '0.10.0' });
    expect(evidence.context).toEqual({ dataset: 'loan-applications-2024', split: 'holdout' });
  });

  it('names the bad field', () => {
    const text = JSON.stringify({
      format: 'cabc-fairness/v1',
      sensitive_feature: 'age_band',
      groups: [{ group: '18-25', metrics: { selection_rate: 'low' } }],
    });
    expectAdapterError(() => adaptText(text), 'invalid', 'groups[0].metrics.selection_rate');
  });

  it('requires a bound in each threshold', () => {
    const text = JSON.stringify({
      format: 'cabc-fairness/v1',
      sensitive_feature: 'age_band',
      groups: [{ group: '18-25', metrics: { selection_rate: 0.2 } }],
      thresholds: { selection_rate: {} },
    });
    expectAdapterError(() => adaptText(text), 'invalid', 'thresholds.selection_rate');
  });
});
