import { describe, expect, it } from 'vitest';
import { certificateStates, isLive, isTerminal, lifecycleStates } from '../../src/domain/certificate-states.ts';
import { applyTransition, findTransition, transitionTable } from '../../src/domain/certificate-transitions.ts';
import { lifecycleEventTypes, type Cause } from '../../src/domain/lifecycle-events.ts';
import { REASON_CODES, type ReasonName } from '../../src/domain/reason-codes.ts';
import { ForbiddenTransitionError, ReasonNotAllowedError } from '../../src/domain/transition-errors.ts';

// Written out by hand from docs/design.md §4 and docs/certification-lifecycle.md, independently of the table under test.
const STATES = ['none', 'issued', 'suspended', 'revoked', 'expired', 'withdrawn'];
const EVENTS = ['issue', 'suspend', 'reinstate', 'revoke', 'expire', 'withdraw'];
const ALLOWED: Record<string, { to: string; reasons: ReasonName[] }> = {
  'none/issue': { to: 'issued', reasons: ['compliant_posture'] },
  'issued/suspend': {
    to: 'suspended',
    reasons: ['non_compliance', 'posture_error', 'evidence_stale', 'assessment_silent'],
  },
  'issued/revoke': { to: 'revoked', reasons: ['critical_requirement_failed', 'approval_rejected'] },
  'issued/expire': { to: 'expired', reasons: ['validity_ended'] },
  'issued/withdraw': { to: 'withdrawn', reasons: ['withdrawn_on_request', 'scope_superseded'] },
  'suspended/reinstate': { to: 'issued', reasons: ['compliant_posture'] },
  'suspended/revoke': {
    to: 'revoked',
    reasons: ['grace_period_elapsed', 'critical_requirement_failed', 'approval_rejected'],
  },
  'suspended/expire': { to: 'expired', reasons: ['validity_ended'] },
  'suspended/withdraw': { to: 'withdrawn', reasons: ['withdrawn_on_request', 'scope_superseded'] },
};

const now = new Date('2025-03-01T12:00:00.000Z');
const cause: Cause = { kind: 'request', ref: 'req-1' };
const allReasons = Object.keys(REASON_CODES) as ReasonName[];

const cells = lifecycleStates.flatMap((from) =>
  lifecycleEventTypes.map((event) => ({ from, event, key: `${from}/${event}` })),
);
const allowedCells = cells
  .filter((cell) => cell.key in ALLOWED)
  .map((cell) => ({ ...cell, expected: ALLOWED[cell.key]! }));
const forbiddenCells = cells.filter((cell) => !(cell.key in ALLOWED));

describe('certificate states and events', () => {
  it('are exactly the documented lists', () => {
    expect([...lifecycleStates]).toStrictEqual(STATES);
    expect([...lifecycleEventTypes]).toStrictEqual(EVENTS);
    expect([...certificateStates]).toStrictEqual(STATES.slice(1));
  });

  it('revoked, expired and withdrawn are terminal; issued and suspended are live', () => {
    expect(STATES.filter((state) => isTerminal(state as never))).toStrictEqual(['revoked', 'expired', 'withdrawn']);
    expect(STATES.filter((state) => isLive(state as never))).toStrictEqual(['issued', 'suspended']);
  });

  it('the matrix covers every state × event cell', () => {
    expect(cells).toHaveLength(36);
    expect(allowedCells).toHaveLength(Object.keys(ALLOWED).length);
    expect(forbiddenCells).toHaveLength(36 - 9);
  });

  it('the table is frozen', () => {
    expect(Object.isFrozen(transitionTable)).toBe(true);
    for (const state of STATES) expect(Object.isFrozen(transitionTable[state as 'none'])).toBe(true);
    expect(Object.isFrozen(transitionTable.issued.suspend)).toBe(true);
    expect(Object.isFrozen(transitionTable.issued.suspend?.reasons)).toBe(true);
  });
});

describe.each(allowedCells)('allowed: $from × $event', ({ from, event, expected }) => {
  it(`goes to ${expected.to} with the default reason ${expected.reasons[0]}`, () => {
    const result = applyTransition({ state: from }, { type: event, detail: 'because', cause }, now);
    expect(result).toStrictEqual({
      state: expected.to,
      entry: {
        from,
        to: expected.to,
        reasonCode: REASON_CODES[expected.reasons[0]!],
        reason: 'because',
        cause,
        at: now,
      },
    });
  });

  it.each(expected.reasons)('carries reason %s with its pinned code', (reason) => {
    const { entry } = applyTransition({ state: from }, { type: event, reason, detail: 'd', cause }, now);
    expect(entry.reasonCode).toBe(REASON_CODES[reason]);
  });

  it.each(allReasons.filter((reason) => !expected.reasons.includes(reason)))('refuses reason %s', (reason) => {
    const attempt = () => applyTransition({ state: from }, { type: event, reason, detail: 'd', cause }, now);
    expect(attempt).toThrow(ReasonNotAllowedError);
    expect(attempt).toThrow(expect.objectContaining({ from, event, reason }));
  });
});

describe.each(forbiddenCells)('forbidden: $from × $event', ({ from, event }) => {
  it('throws ForbiddenTransitionError naming the state and the event', () => {
    expect(findTransition(from, event)).toBeUndefined();
    const attempt = () => applyTransition({ state: from }, { type: event, detail: 'd', cause }, now);
    expect(attempt).toThrow(ForbiddenTransitionError);
    expect(attempt).toThrow(expect.objectContaining({ name: 'ForbiddenTransitionError', from, event }));
  });
});
