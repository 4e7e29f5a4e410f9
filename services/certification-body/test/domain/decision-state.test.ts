import { describe, expect, it } from 'vitest';
import { decide, parseDecisionPolicy } from '../../src/domain/decision-policy.ts';
import { openCertification, transitionCertification } from '../../src/domain/decision-state.ts';
import { REASON_CODES } from '../../src/domain/reason-codes.ts';
import { ForbiddenTransitionError } from '../../src/domain/transition-errors.ts';
import { DAY, at, expectTransition, issuedCertification } from './lifecycle-fixtures.ts';

const withdrawal = {
  type: 'withdraw',
  reason: 'scope_superseded',
  detail: 'scope v2 approved',
  cause: { kind: 'request', ref: 'req-7' },
} as const;

describe('openCertification', () => {
  it('starts with no approval, no posture and no certificate', () => {
    const policy = parseDecisionPolicy({});
    expect(openCertification(policy)).toStrictEqual({
      policy,
      approval: null,
      certificate: { state: 'none', expiresAt: null, suspendedAt: null },
      posture: null,
    });
  });
});

describe('transitionCertification (requests)', () => {
  it('withdraws a suspended certificate, clearing suspendedAt and keeping the expiry', () => {
    const { state, callback } = issuedCertification({ validityMs: 10 * DAY });
    const suspended = expectTransition(decide(state, callback('non_compliant', at(DAY)))).next;
    const { next, entry } = transitionCertification(suspended, withdrawal, at(2 * DAY));
    expect(next.certificate).toStrictEqual({ state: 'withdrawn', expiresAt: at(10 * DAY), suspendedAt: null });
    expect(entry).toStrictEqual({
      from: 'suspended',
      to: 'withdrawn',
      reasonCode: REASON_CODES.scope_superseded,
      reason: 'scope v2 approved',
      cause: { kind: 'request', ref: 'req-7' },
      at: at(2 * DAY),
    });
  });

  it('refuses to withdraw a certificate that is already withdrawn', () => {
    const { state } = issuedCertification();
    const { next } = transitionCertification(state, withdrawal, at(DAY));
    expect(() => transitionCertification(next, withdrawal, at(2 * DAY))).toThrow(ForbiddenTransitionError);
  });
});
