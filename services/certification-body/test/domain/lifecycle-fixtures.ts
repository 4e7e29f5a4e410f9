import type { Posture } from '@cabc/contracts';
import { parseDecisionPolicy, decide, type DecisionPolicyInput } from '../../src/domain/decision-policy.ts';
import {
  openCertification,
  type CertificationDecisionState,
  type ClockTickInput,
  type Decision,
  type PostureCallbackInput,
} from '../../src/domain/decision-state.ts';

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** The controllable clock: every `now` in these tests is an offset from one fixed instant. */
export function at(offsetMs: number): Date {
  return new Date(T0 + offsetMs);
}

/** Posture callbacks with increasing sequence numbers, assessed at the moment they arrive unless told otherwise. */
export function callbacks() {
  let sequence = 0;
  return (posture: Posture, now: Date, extra: Partial<PostureCallbackInput> = {}): PostureCallbackInput => {
    sequence += 1;
    return {
      kind: 'posture',
      posture,
      criticalFailed: false,
      assessedAt: now,
      sequence,
      assessmentId: `a-${sequence}`,
      now,
      ...extra,
    };
  };
}

export function tick(now: Date): ClockTickInput {
  return { kind: 'tick', now, ref: `tick-${now.toISOString()}` };
}

export function expectTransition(decision: Decision) {
  if (decision.outcome !== 'transition') throw new Error(`expected a transition, got ${decision.outcome}`);
  return decision;
}

/** An approved certification whose certificate was issued at offset 0 by callback a-1. */
export function issuedCertification(policy: DecisionPolicyInput = {}) {
  const callback = callbacks();
  const opened = decide(openCertification(parseDecisionPolicy(policy)), {
    kind: 'approval',
    now: at(0),
    ref: 'approval-1',
  }).next;
  const state: CertificationDecisionState = expectTransition(decide(opened, callback('compliant', at(0)))).next;
  return { state, callback };
}
