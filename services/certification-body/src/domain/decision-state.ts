import type { Posture } from '@cabc/contracts';
import { NO_CERTIFICATE, type CertificateState, type LifecycleState } from './certificate-states.ts';
import { applyTransition, type HistoryEntry } from './certificate-transitions.ts';
import type { DecisionPolicy } from './decision-policy.ts';
import type { Cause, LifecycleEvent } from './lifecycle-events.ts';

export type CertificateSnapshot = {
  readonly state: LifecycleState;
  /** Set at issue to issue time + validityMs; reinstatement does not extend it. */
  readonly expiresAt: Date | null;
  /** Start of the current suspension; null whenever the certificate is not suspended. */
  readonly suspendedAt: Date | null;
};

export type AppliedPosture = {
  /** Monotonic per target of evaluation; a callback with a sequence ≤ the applied one is stale. */
  readonly sequence: number;
  readonly assessmentId: string;
  readonly posture: Posture;
  readonly criticalFailed: boolean;
  readonly assessedAt: Date;
  /** When this service received it (its own clock): the assessment was last heard from then. */
  readonly receivedAt: Date;
};

/** Everything decide() needs to know about one certification; the service persists it between inputs. */
export type CertificationDecisionState = {
  readonly policy: DecisionPolicy;
  /** The auditor's approval; it may arrive after the first posture callback, since both travel through queues. */
  readonly approval: { readonly ref: string; readonly at: Date } | null;
  readonly certificate: CertificateSnapshot;
  readonly posture: AppliedPosture | null;
};

export type PostureCallbackInput = {
  readonly kind: 'posture';
  readonly now: Date;
  /** Kept with the history entry the posture causes (see Cause). */
  readonly ledgerCheckpoint?: Cause['ledgerCheckpoint'];
  /** A heartbeat re-stating the posture of `sequence`: applied even at the applied sequence (it says "still so"). */
  readonly restatement?: boolean;
  /**
   * When the auditor signed it, on this service's clock (`now` less the signature's age). The assessment counts as
   * heard from then, not at receipt: a genuine statement held back and replayed later must not vouch for the time
   * between. Defaults to `now`.
   */
  readonly signedAt?: Date;
} & Omit<AppliedPosture, 'receivedAt'>;
/** ref: the id of the scheduled run, kept as the cause of any transition it triggers. */
export type ClockTickInput = { readonly kind: 'tick'; readonly now: Date; readonly ref: string };
/** ref: the id of the verified approval message. */
export type ApprovalInput = { readonly kind: 'approval'; readonly now: Date; readonly ref: string };
export type DecisionInput = PostureCallbackInput | ClockTickInput | ApprovalInput;

export type Decision =
  | { readonly outcome: 'ignored'; readonly why: 'stale_sequence'; readonly next: CertificationDecisionState }
  | { readonly outcome: 'no_event'; readonly next: CertificationDecisionState }
  | {
      readonly outcome: 'transition';
      readonly event: LifecycleEvent;
      readonly entry: HistoryEntry;
      readonly next: CertificationDecisionState;
    };

export function openCertification(policy: DecisionPolicy): CertificationDecisionState {
  return {
    policy,
    approval: null,
    certificate: { state: NO_CERTIFICATE, expiresAt: null, suspendedAt: null },
    posture: null,
  };
}

/** Folds the facts an input carries into the state, before any event is chosen. */
export function recordInput(state: CertificationDecisionState, input: DecisionInput): CertificationDecisionState {
  switch (input.kind) {
    case 'posture': {
      const { sequence, assessmentId, posture, criticalFailed, assessedAt, now } = input;
      const signedAt = input.signedAt && input.signedAt < now ? input.signedAt : now;
      const heardBefore = state.posture?.receivedAt;
      const receivedAt = heardBefore && heardBefore > signedAt ? heardBefore : signedAt;
      return { ...state, posture: { sequence, assessmentId, posture, criticalFailed, assessedAt, receivedAt } };
    }
    case 'approval':
      return state.approval ? state : { ...state, approval: { ref: input.ref, at: input.now } };
    case 'tick':
      return state;
  }
}

function moveCertificate(
  certificate: CertificateSnapshot,
  to: CertificateState,
  now: Date,
  policy: DecisionPolicy,
): CertificateSnapshot {
  const expiresAt =
    certificate.state === NO_CERTIFICATE ? new Date(now.getTime() + policy.validityMs) : certificate.expiresAt;
  return { state: to, expiresAt, suspendedAt: to === 'suspended' ? now : null };
}

/**
 * applyTransition plus the dates the certificate keeps (expiresAt at issue, suspendedAt while suspended).
 * decide() uses it for the events it chooses; the service uses it for requests (withdraw, approval retraction).
 */
export function transitionCertification(
  state: CertificationDecisionState,
  event: LifecycleEvent,
  now: Date,
): { readonly next: CertificationDecisionState; readonly entry: HistoryEntry } {
  const { state: to, entry } = applyTransition(state.certificate, event, now);
  return { next: { ...state, certificate: moveCertificate(state.certificate, to, now, state.policy) }, entry };
}
