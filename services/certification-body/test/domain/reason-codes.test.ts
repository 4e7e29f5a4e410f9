import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../src/domain/reason-codes.ts';

// Reason codes are wire format: this literal is the contract. Changing it means breaking every stored
// history entry and every status answer already handed out.
const PINNED = {
  unspecified: 0,
  compliant_posture: 1,
  non_compliance: 2,
  evidence_stale: 3,
  grace_period_elapsed: 4,
  critical_requirement_failed: 5,
  validity_ended: 6,
  withdrawn_on_request: 7,
  scope_superseded: 8,
  approval_rejected: 9,
  posture_error: 10,
  assessment_silent: 11,
};

describe('reason codes', () => {
  it.each(Object.entries(PINNED))('%s is pinned to %i', (name, code) => {
    expect(REASON_CODES[name as keyof typeof REASON_CODES]).toBe(code);
  });

  it('has exactly the pinned codes, no more', () => {
    expect({ ...REASON_CODES }).toStrictEqual(PINNED);
  });

  it('never reuses a number', () => {
    const codes = Object.values(REASON_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(REASON_CODES)).toBe(true);
  });
});
