import type { CertificateState, LifecycleState } from './certificate-states.ts';
import type { Cause, LifecycleEvent, LifecycleEventType } from './lifecycle-events.ts';
import { REASON_CODES, type ReasonCode, type ReasonName } from './reason-codes.ts';
import { ForbiddenTransitionError, ReasonNotAllowedError } from './transition-errors.ts';

export type TransitionRule = {
  readonly to: CertificateState;
  /** The reasons this transition may carry; the first is the default. */
  readonly reasons: readonly [ReasonName, ...ReasonName[]];
};

function rule(to: CertificateState, ...reasons: [ReasonName, ...ReasonName[]]): TransitionRule {
  return Object.freeze({ to, reasons: Object.freeze(reasons) });
}

/** The only place that says which event may move a certificate from which state; absent cells are forbidden. */
export const transitionTable: Readonly<
  Record<LifecycleState, Readonly<Partial<Record<LifecycleEventType, TransitionRule>>>>
> = Object.freeze({
  none: Object.freeze({
    issue: rule('issued', 'compliant_posture'),
  }),
  issued: Object.freeze({
    suspend: rule('suspended', 'non_compliance', 'posture_error', 'evidence_stale', 'assessment_silent'),
    revoke: rule('revoked', 'critical_requirement_failed', 'approval_rejected'),
    expire: rule('expired', 'validity_ended'),
    withdraw: rule('withdrawn', 'withdrawn_on_request', 'scope_superseded'),
  }),
  suspended: Object.freeze({
    reinstate: rule('issued', 'compliant_posture'),
    revoke: rule('revoked', 'grace_period_elapsed', 'critical_requirement_failed', 'approval_rejected'),
    expire: rule('expired', 'validity_ended'),
    withdraw: rule('withdrawn', 'withdrawn_on_request', 'scope_superseded'),
  }),
  revoked: Object.freeze({}),
  expired: Object.freeze({}),
  withdrawn: Object.freeze({}),
});

export type HistoryEntry = {
  readonly from: LifecycleState;
  readonly to: CertificateState;
  readonly reasonCode: ReasonCode;
  readonly reason: string;
  readonly cause: Cause;
  readonly at: Date;
};

export type TransitionResult = {
  readonly state: CertificateState;
  readonly entry: HistoryEntry;
};

export function findTransition(from: LifecycleState, event: LifecycleEventType): TransitionRule | undefined {
  return transitionTable[from][event];
}

/** Throws ForbiddenTransitionError or ReasonNotAllowedError; never returns a transition the table does not hold. */
export function applyTransition(
  certificate: { readonly state: LifecycleState },
  event: LifecycleEvent,
  now: Date,
): TransitionResult {
  const from = certificate.state;
  const rule = findTransition(from, event.type);
  if (!rule) throw new ForbiddenTransitionError(from, event.type);
  const reason = event.reason ?? rule.reasons[0];
  if (!rule.reasons.includes(reason)) throw new ReasonNotAllowedError(from, event.type, reason);
  return {
    state: rule.to,
    entry: { from, to: rule.to, reasonCode: REASON_CODES[reason], reason: event.detail, cause: event.cause, at: now },
  };
}
