import { describe, expect, it } from 'vitest';
import { decide, parseDecisionPolicy } from '../../src/domain/decision-policy.ts';
import { openCertification, type CertificationDecisionState } from '../../src/domain/decision-state.ts';
import { nextDeadline } from '../../src/domain/lifecycle-clock.ts';
import { REASON_CODES } from '../../src/domain/reason-codes.ts';
import { DAY, MINUTE, at, callbacks, expectTransition, issuedCertification, tick } from './lifecycle-fixtures.ts';

const GRACE = 7 * DAY;
const VALIDITY = 365 * DAY;

function suspendedCertification(suspendAt: number, policy = {}) {
  const { state, callback } = issuedCertification(policy);
  const suspended = expectTransition(decide(state, callback('non_compliant', at(suspendAt))));
  return { state: suspended.next, callback };
}

describe('issue', () => {
  it('issues when the approval is in and the posture is compliant, valid for validityMs', () => {
    const callback = callbacks();
    const approved = decide(openCertification(parseDecisionPolicy({})), {
      kind: 'approval',
      now: at(0),
      ref: 'approval-1',
    });
    expect(approved.outcome).toBe('no_event');
    const decision = expectTransition(decide(approved.next, callback('compliant', at(MINUTE))));
    expect(decision.event.type).toBe('issue');
    expect(decision.entry).toMatchObject({
      from: 'none',
      to: 'issued',
      reasonCode: REASON_CODES.compliant_posture,
      cause: { kind: 'callback', ref: 'a-1' },
      at: at(MINUTE),
    });
    expect(decision.next.certificate).toStrictEqual({
      state: 'issued',
      expiresAt: at(MINUTE + VALIDITY),
      suspendedAt: null,
    });
  });

  it('waits for an approval that arrives after the compliant posture, then issues on the approval', () => {
    const callback = callbacks();
    const early = decide(openCertification(parseDecisionPolicy({})), callback('compliant', at(0)));
    expect(early.outcome).toBe('no_event');
    const decision = expectTransition(decide(early.next, { kind: 'approval', now: at(MINUTE), ref: 'approval-9' }));
    expect(decision.entry).toMatchObject({ to: 'issued', cause: { kind: 'callback', ref: 'approval-9' } });
  });

  it.each(['pending', 'non_compliant', 'error'] as const)('does not issue on a %s posture', (posture) => {
    const callback = callbacks();
    const approved = decide(openCertification(parseDecisionPolicy({})), {
      kind: 'approval',
      now: at(0),
      ref: 'ap',
    }).next;
    const decision = decide(approved, callback(posture, at(0)));
    expect(decision.outcome).toBe('no_event');
    expect(decision.next.certificate.state).toBe('none');
  });

  it('does not issue on a compliant posture that reports a failed critical requirement', () => {
    const callback = callbacks();
    const approved = decide(openCertification(parseDecisionPolicy({})), {
      kind: 'approval',
      now: at(0),
      ref: 'ap',
    }).next;
    expect(decide(approved, callback('compliant', at(0), { criticalFailed: true })).outcome).toBe('no_event');
  });

  it('does not issue again when a second approval arrives for a live certificate', () => {
    const { state } = issuedCertification();
    const decision = decide(state, { kind: 'approval', now: at(DAY), ref: 'approval-2' });
    expect(decision.outcome).toBe('no_event');
    expect(decision.next.approval).toStrictEqual({ ref: 'approval-1', at: at(0) });
  });
});

describe('suspend', () => {
  it.each([
    ['non_compliant', REASON_CODES.non_compliance],
    ['error', REASON_CODES.posture_error],
  ] as const)('suspends an issued certificate on a %s posture and records suspendedAt', (posture, reasonCode) => {
    const { state, callback } = issuedCertification();
    const decision = expectTransition(decide(state, callback(posture, at(DAY))));
    expect(decision.entry).toMatchObject({
      from: 'issued',
      to: 'suspended',
      reasonCode,
      cause: { kind: 'callback', ref: 'a-2' },
    });
    expect(decision.next.certificate).toMatchObject({ state: 'suspended', suspendedAt: at(DAY) });
  });

  it('keeps an issued certificate on a pending posture while evidence is fresh', () => {
    const { state, callback } = issuedCertification();
    const decision = decide(state, callback('pending', at(DAY)));
    expect(decision.outcome).toBe('no_event');
    expect(decision.next.certificate.state).toBe('issued');
    expect(decision.next.posture?.posture).toBe('pending');
  });

  it('suspends instead of revoking on a critical failure when revokeOnCriticalFailure is off', () => {
    const { state, callback } = issuedCertification({ revokeOnCriticalFailure: false });
    const decision = expectTransition(decide(state, callback('non_compliant', at(DAY), { criticalFailed: true })));
    expect(decision.entry).toMatchObject({ to: 'suspended', reasonCode: REASON_CODES.non_compliance });
  });

  it('does not suspend twice: a second non-compliant callback leaves suspendedAt alone', () => {
    const { state, callback } = suspendedCertification(DAY);
    const decision = decide(state, callback('non_compliant', at(2 * DAY)));
    expect(decision.outcome).toBe('no_event');
    expect(decision.next.certificate.suspendedAt).toStrictEqual(at(DAY));
  });
});

describe('grace period', () => {
  it('keeps the certificate suspended one millisecond before the grace period ends', () => {
    const { state } = suspendedCertification(DAY);
    const decision = decide(state, tick(at(DAY + GRACE - 1)));
    expect(decision.outcome).toBe('no_event');
    expect(decision.next.certificate.state).toBe('suspended');
  });

  it.each([
    ['exactly when', 0],
    ['after', 1],
    ['long after', 30 * DAY],
  ])('revokes %s the grace period ends', (_label, late) => {
    const { state } = suspendedCertification(DAY);
    const now = at(DAY + GRACE + late);
    const decision = expectTransition(decide(state, tick(now)));
    expect(decision.entry).toStrictEqual({
      from: 'suspended',
      to: 'revoked',
      reasonCode: REASON_CODES.grace_period_elapsed,
      reason: `suspended since ${at(DAY).toISOString()}; grace period ended at ${at(DAY + GRACE).toISOString()}`,
      cause: { kind: 'schedule', ref: tick(now).ref },
      at: now,
    });
    expect(decision.next.certificate).toMatchObject({ state: 'revoked', suspendedAt: null });
  });

  it('reinstates on a compliant callback inside the grace period, keeping the original expiry', () => {
    const { state, callback } = suspendedCertification(DAY);
    const decision = expectTransition(decide(state, callback('compliant', at(DAY + GRACE - 1))));
    expect(decision.entry).toMatchObject({
      from: 'suspended',
      to: 'issued',
      reasonCode: REASON_CODES.compliant_posture,
    });
    expect(decision.next.certificate).toStrictEqual({ state: 'issued', expiresAt: at(VALIDITY), suspendedAt: null });
  });

  it('revokes rather than reinstates when the compliant callback arrives after the grace period, before any tick', () => {
    const { state, callback } = suspendedCertification(DAY);
    const decision = expectTransition(decide(state, callback('compliant', at(DAY + GRACE))));
    expect(decision.entry).toMatchObject({ to: 'revoked', reasonCode: REASON_CODES.grace_period_elapsed });
  });

  it.each(['pending', 'error'] as const)('does not reinstate on a %s posture', (posture) => {
    const { state, callback } = suspendedCertification(DAY);
    expect(decide(state, callback(posture, at(2 * DAY))).outcome).toBe('no_event');
  });

  it('starts a fresh grace period on a second suspension', () => {
    const { state, callback } = suspendedCertification(DAY);
    const reinstated = expectTransition(decide(state, callback('compliant', at(2 * DAY)))).next;
    const suspendedAgain = expectTransition(decide(reinstated, callback('non_compliant', at(5 * DAY)))).next;
    expect(decide(suspendedAgain, tick(at(DAY + GRACE))).outcome).toBe('no_event');
    expect(expectTransition(decide(suspendedAgain, tick(at(5 * DAY + GRACE)))).entry.to).toBe('revoked');
  });
});

describe('critical failure', () => {
  it.each([
    ['issued', () => issuedCertification()],
    ['suspended', () => suspendedCertification(DAY)],
  ])('revokes a %s certificate at once', (from, setup) => {
    const { state, callback } = setup();
    const decision = expectTransition(decide(state, callback('non_compliant', at(2 * DAY), { criticalFailed: true })));
    expect(decision.entry).toMatchObject({
      from,
      to: 'revoked',
      reasonCode: REASON_CODES.critical_requirement_failed,
      cause: { kind: 'callback', ref: decision.next.posture?.assessmentId },
      at: at(2 * DAY),
    });
  });
});

describe('expiry', () => {
  it('keeps the certificate one millisecond before the end of validity and expires it at the end', () => {
    const { state } = issuedCertification();
    expect(decide(state, tick(at(VALIDITY - 1))).outcome).toBe('no_event');
    const decision = expectTransition(decide(state, tick(at(VALIDITY))));
    expect(decision.entry).toMatchObject({ from: 'issued', to: 'expired', reasonCode: REASON_CODES.validity_ended });
  });

  it('expires a suspended certificate whose validity ends inside the grace period', () => {
    const { state } = suspendedCertification(VALIDITY - DAY);
    const decision = expectTransition(decide(state, tick(at(VALIDITY))));
    expect(decision.entry).toMatchObject({ from: 'suspended', to: 'expired', reasonCode: REASON_CODES.validity_ended });
  });

  it('takes the earlier deadline when a late tick finds both reached', () => {
    const { state } = suspendedCertification(VALIDITY - DAY);
    const decision = expectTransition(decide(state, tick(at(VALIDITY + GRACE))));
    expect(decision.entry.to).toBe('expired');
  });

  it('revokes when the grace period and the validity end at the same instant', () => {
    const { state } = suspendedCertification(VALIDITY - GRACE);
    const decision = expectTransition(decide(state, tick(at(VALIDITY))));
    expect(decision.entry).toMatchObject({ to: 'revoked', reasonCode: REASON_CODES.grace_period_elapsed });
  });

  it('expires on a callback that arrives after the end of validity, before any tick', () => {
    const { state, callback } = issuedCertification();
    const decision = expectTransition(
      decide(state, callback('non_compliant', at(VALIDITY + 1), { criticalFailed: true })),
    );
    expect(decision.entry.to).toBe('expired');
  });
});

describe('stale callbacks', () => {
  it.each([
    ['the same sequence', 0],
    ['an older sequence', -1],
  ])('ignores a callback with %s and keeps the state as it was', (_label, offset) => {
    const { state, callback } = issuedCertification();
    const newer = decide(state, callback('pending', at(DAY))).next;
    const sequence = (newer.posture?.sequence ?? 0) + offset;
    const decision = decide(newer, callback('non_compliant', at(2 * DAY), { sequence, criticalFailed: true }));
    expect(decision).toStrictEqual({ outcome: 'ignored', why: 'stale_sequence', next: newer });
    expect(decision.next).toBe(newer);
  });

  it('applies a newer callback even when sequences skip numbers', () => {
    const { state, callback } = issuedCertification();
    const decision = decide(state, callback('non_compliant', at(DAY), { sequence: 10 }));
    expect(decision.outcome).toBe('transition');
    expect(decision.next.posture?.sequence).toBe(10);
  });
});

describe('stale evidence', () => {
  const STALE = 3 * DAY;
  const policy = { suspendOnStaleEvidence: true, staleAfterMs: STALE };

  it.each(['compliant', 'pending'] as const)(
    'suspends an issued certificate whose last (%s) assessment went stale',
    (posture) => {
      const { state, callback } = issuedCertification(policy);
      const current = decide(state, callback(posture, at(DAY))).next;
      expect(decide(current, tick(at(DAY + STALE - 1))).outcome).toBe('no_event');
      const decision = expectTransition(decide(current, tick(at(DAY + STALE))));
      expect(decision.entry).toMatchObject({
        from: 'issued',
        to: 'suspended',
        reasonCode: REASON_CODES.evidence_stale,
      });
    },
  );

  it('reinstates on a fresh compliant assessment', () => {
    const { state, callback } = issuedCertification(policy);
    const suspended = expectTransition(decide(state, tick(at(STALE)))).next;
    expect(expectTransition(decide(suspended, callback('compliant', at(STALE + 1)))).entry.to).toBe('issued');
  });

  it('neither issues nor reinstates on a compliant assessment that is already stale', () => {
    const callback = callbacks();
    const approved = decide(openCertification(parseDecisionPolicy(policy)), {
      kind: 'approval',
      now: at(STALE),
      ref: 'ap',
    }).next;
    const stale = callback('compliant', at(STALE), { assessedAt: at(0) });
    expect(decide(approved, stale).outcome).toBe('no_event');
  });

  it('is ignored when the policy does not watch staleness', () => {
    const { state } = issuedCertification();
    expect(decide(state, tick(at(VALIDITY - 1))).outcome).toBe('no_event');
  });
});

describe('assessment silent', () => {
  const SILENT = 3 * 60 * MINUTE;
  const policy = { assessmentSilentAfterMs: SILENT };

  it('suspends (assessment_silent) when no posture statement arrived within the window, reinstates on the next one', () => {
    const { state, callback } = issuedCertification(policy);
    // The window runs from when this service received the statement, whatever assessedAt the auditor put in it.
    const current = decide(state, callback('compliant', at(DAY), { assessedAt: at(0) })).next;
    expect(decide(current, tick(at(DAY + SILENT - 1))).outcome).toBe('no_event');
    const suspended = expectTransition(decide(current, tick(at(DAY + SILENT))));
    expect(suspended.entry).toMatchObject({
      from: 'issued',
      to: 'suspended',
      reasonCode: REASON_CODES.assessment_silent,
    });
    expect(suspended.entry.reason).toMatch(/no posture statement from the assessment since/);
    const back = expectTransition(decide(suspended.next, callback('compliant', at(DAY + SILENT + MINUTE))));
    expect(back.entry).toMatchObject({ from: 'suspended', to: 'issued', reasonCode: REASON_CODES.compliant_posture });
  });

  it('stays suspended when the statement that ends the silence is not compliant', () => {
    const { state, callback } = issuedCertification(policy);
    const suspended = expectTransition(decide(state, tick(at(SILENT)))).next;
    const decision = decide(suspended, callback('non_compliant', at(SILENT + MINUTE)));
    expect(decision.outcome).toBe('no_event');
    expect(decision.next.certificate.state).toBe('suspended');
  });

  it('schedules the silence deadline, and none when the policy does not watch it', () => {
    const { state } = issuedCertification(policy);
    expect(nextDeadline(state)).toEqual(at(SILENT));
    expect(nextDeadline(issuedCertification().state)).toEqual(at(VALIDITY));
  });
});

describe('terminal certificates', () => {
  it('stay terminal whatever arrives', () => {
    const { state, callback } = issuedCertification();
    const revoked: CertificationDecisionState = expectTransition(
      decide(state, callback('non_compliant', at(DAY), { criticalFailed: true })),
    ).next;
    for (const input of [
      callback('compliant', at(2 * DAY)),
      tick(at(VALIDITY + 1)),
      { kind: 'approval' as const, now: at(3 * DAY), ref: 'x' },
    ]) {
      const decision = decide(revoked, input);
      expect(decision.outcome).toBe('no_event');
      expect(decision.next.certificate.state).toBe('revoked');
    }
  });
});
