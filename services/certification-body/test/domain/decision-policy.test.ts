import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DECISION_POLICY,
  decisionPolicySchema,
  parseDecisionPolicy,
} from '../../src/domain/decision-policy.ts';
import { DAY } from './lifecycle-fixtures.ts';

describe('decision policy', () => {
  it('defaults to 7 days of grace, 365 days of validity, revoke on critical failure, no staleness watch', () => {
    expect(DEFAULT_DECISION_POLICY).toStrictEqual({
      gracePeriodMs: 7 * DAY,
      validityMs: 365 * DAY,
      revokeOnCriticalFailure: true,
      suspendOnStaleEvidence: false,
    });
    expect(Object.isFrozen(DEFAULT_DECISION_POLICY)).toBe(true);
  });

  it('keeps what is given and fills in the rest', () => {
    expect(
      parseDecisionPolicy({ gracePeriodMs: 1000, suspendOnStaleEvidence: true, staleAfterMs: 5000 }),
    ).toStrictEqual({
      gracePeriodMs: 1000,
      validityMs: 365 * DAY,
      revokeOnCriticalFailure: true,
      suspendOnStaleEvidence: true,
      staleAfterMs: 5000,
    });
  });

  it('requires staleAfterMs when staleness is watched, and says where', () => {
    const result = decisionPolicySchema.safeParse({ suspendOnStaleEvidence: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([{ path: ['staleAfterMs'] }]);
  });

  it.each([
    ['a zero grace period', { gracePeriodMs: 0 }, { path: ['gracePeriodMs'] }],
    ['a negative validity', { validityMs: -1 }, { path: ['validityMs'] }],
    ['a fractional duration', { staleAfterMs: 1.5 }, { path: ['staleAfterMs'] }],
    ['a string flag', { revokeOnCriticalFailure: 'yes' }, { path: ['revokeOnCriticalFailure'] }],
    ['an unknown key', { graceMs: 1 }, { code: 'unrecognized_keys', keys: ['graceMs'] }],
  ])('rejects %s', (_label, input, issue) => {
    const result = decisionPolicySchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([issue]);
  });
});
