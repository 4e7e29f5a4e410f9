import { describe, expect, it } from 'vitest';
import { decide, parseDecisionPolicy } from '../../src/domain/decision-policy.ts';
import { openCertification } from '../../src/domain/decision-state.ts';
import { nextDeadline } from '../../src/domain/lifecycle-clock.ts';
import { DAY, at, callbacks, expectTransition, issuedCertification } from './lifecycle-fixtures.ts';

describe('nextDeadline', () => {
  it('needs no tick before a certificate is issued', () => {
    const callback = callbacks();
    expect(
      nextDeadline(decide(openCertification(parseDecisionPolicy({})), callback('pending', at(0))).next),
    ).toBeNull();
  });

  it('is the end of validity for an issued certificate', () => {
    expect(nextDeadline(issuedCertification({ validityMs: 10 * DAY }).state)).toStrictEqual(at(10 * DAY));
  });

  it('is the moment the evidence goes stale when that comes first', () => {
    const { state } = issuedCertification({
      validityMs: 10 * DAY,
      suspendOnStaleEvidence: true,
      staleAfterMs: 2 * DAY,
    });
    expect(nextDeadline(state)).toStrictEqual(at(2 * DAY));
  });

  it('is the end of the grace period for a suspended certificate, or the end of validity if sooner', () => {
    const { state, callback } = issuedCertification({ validityMs: 10 * DAY, gracePeriodMs: 3 * DAY });
    expect(nextDeadline(decide(state, callback('non_compliant', at(DAY))).next)).toStrictEqual(at(4 * DAY));
    expect(nextDeadline(decide(state, callback('non_compliant', at(8 * DAY))).next)).toStrictEqual(at(10 * DAY));
  });

  it('needs no tick once the certificate is terminal', () => {
    const { state, callback } = issuedCertification();
    const revoked = expectTransition(decide(state, callback('non_compliant', at(DAY), { criticalFailed: true }))).next;
    expect(nextDeadline(revoked)).toBeNull();
  });
});
