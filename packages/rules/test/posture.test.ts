import { describe, expect, it } from 'vitest';
import type { RequirementStatus } from '@cabc/contracts';
import { aggregatePosture } from '../src/index.ts';

const result = (status: RequirementStatus, severity = 'high', critical = false) => ({ status, severity, critical });

describe('aggregatePosture', () => {
  it.each([
    [['compliant', 'compliant'], 'compliant'],
    [['compliant', 'pending'], 'pending'],
    [['pending', 'error', 'compliant'], 'error'],
    [['error', 'non_compliant', 'pending'], 'non_compliant'],
    [['non_compliant'], 'non_compliant'],
  ] as [RequirementStatus[], RequirementStatus][])('%j → %s', (statuses, posture) => {
    expect(aggregatePosture(statuses.map((status) => result(status))).posture).toBe(posture);
  });

  it('is pending with no requirements: nothing has been shown', () => {
    expect(aggregatePosture([])).toMatchObject({ posture: 'pending', total: 0 });
  });

  it('counts results by status and by severity', () => {
    const summary = aggregatePosture([
      result('compliant', 'high'),
      result('non_compliant', 'high'),
      result('pending', 'low'),
      result('compliant', 'low'),
      result('error', 'medium'),
    ]);
    expect(summary.total).toBe(5);
    expect(summary.counts).toEqual({ compliant: 2, non_compliant: 1, pending: 1, error: 1 });
    expect(summary.bySeverity).toEqual({
      high: { compliant: 1, non_compliant: 1, pending: 0, error: 0 },
      low: { compliant: 1, non_compliant: 0, pending: 1, error: 0 },
      medium: { compliant: 0, non_compliant: 0, pending: 0, error: 1 },
    });
  });

  it('flags a failed critical requirement, and only a failed one', () => {
    expect(aggregatePosture([result('non_compliant', 'high', true)]).criticalFailed).toBe(true);
    expect(
      aggregatePosture([result('error', 'high', true), result('non_compliant', 'low', false)]).criticalFailed,
    ).toBe(false);
  });
});
