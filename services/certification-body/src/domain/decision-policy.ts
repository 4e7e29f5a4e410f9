import { z } from 'zod';
import {
  recordInput,
  transitionCertification,
  type CertificationDecisionState,
  type Decision,
  type DecisionInput,
} from './decision-state.ts';
import type { Cause } from './lifecycle-events.ts';
import { chooseEvent } from './lifecycle-rules.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Per-certification policy; see docs/certification-lifecycle.md for what each knob does. */
export const decisionPolicySchema = z
  .strictObject({
    /** How long a certificate may stay suspended before it is revoked. */
    gracePeriodMs: z
      .int()
      .positive()
      .default(7 * DAY_MS),
    /** How long an issued certificate is valid; reinstatement does not extend it. */
    validityMs: z
      .int()
      .positive()
      .default(365 * DAY_MS),
    /** Revoke at once when a critical requirement fails; when false it suspends like any non-compliance. */
    revokeOnCriticalFailure: z.boolean().default(true),
    /**
     * Suspend an issued certificate (and refuse to issue or reinstate) when the last assessment is older than
     * staleAfterMs. Off by default: the assessment service calls back on posture changes only, so enable it only
     * when it also sends a callback at least every staleAfterMs.
     */
    suspendOnStaleEvidence: z.boolean().default(false),
    staleAfterMs: z.int().positive().optional(),
    /**
     * Suspend an issued certificate (reason assessment_silent) when no verified posture callback arrived for this
     * long, measured on this service's clock; the next one reinstates it (within the grace period). The assessment
     * re-states every posture each POSTURE_HEARTBEAT_INTERVAL, so set this to a few intervals. Absent: off.
     */
    assessmentSilentAfterMs: z.int().positive().optional(),
  })
  .refine((policy) => !policy.suspendOnStaleEvidence || policy.staleAfterMs !== undefined, {
    path: ['staleAfterMs'],
    message: 'staleAfterMs is required when suspendOnStaleEvidence is true',
  });

export type DecisionPolicy = Readonly<z.output<typeof decisionPolicySchema>>;
export type DecisionPolicyInput = z.input<typeof decisionPolicySchema>;

/** Throws a ZodError naming the offending field. */
export function parseDecisionPolicy(input: DecisionPolicyInput | undefined): DecisionPolicy {
  return Object.freeze(decisionPolicySchema.parse(input ?? {}));
}

export const DEFAULT_DECISION_POLICY: DecisionPolicy = parseDecisionPolicy({});

function causeOf(input: DecisionInput): Cause {
  switch (input.kind) {
    case 'posture':
      return input.ledgerCheckpoint
        ? { kind: 'callback', ref: input.assessmentId, ledgerCheckpoint: input.ledgerCheckpoint }
        : { kind: 'callback', ref: input.assessmentId };
    case 'approval':
      return { kind: 'callback', ref: input.ref };
    case 'tick':
      return { kind: 'schedule', ref: input.ref };
  }
}

/** A posture older than the one applied: a change must be newer, a re-statement may re-state the applied one. */
function isOlder(state: CertificationDecisionState, input: DecisionInput): boolean {
  if (input.kind !== 'posture' || !state.posture) return false;
  const applied = state.posture.sequence;
  return input.restatement ? input.sequence < applied : input.sequence <= applied;
}

/**
 * Maps one input (posture callback, approval, clock tick) to at most one lifecycle event, applied through the
 * transition table. Callbacks older than the last applied posture (by the assessment's sequence) are ignored entirely.
 */
export function decide(state: CertificationDecisionState, input: DecisionInput): Decision {
  if (isOlder(state, input)) return { outcome: 'ignored', why: 'stale_sequence', next: state };
  const recorded = recordInput(state, input);
  const event = chooseEvent(recorded, input.now, causeOf(input));
  if (!event) return { outcome: 'no_event', next: recorded };
  return { outcome: 'transition', event, ...transitionCertification(recorded, event, input.now) };
}
