/**
 * Reason codes carried by history entries, certificate status answers and webhooks.
 * The numbers are wire format: never renumber or reuse one; append new codes with the next free number.
 */
export const REASON_CODES = Object.freeze({
  /** Reserved: no reason given. The lifecycle never emits it; readers treat it as "unknown". */
  unspecified: 0,
  /** Issue or reinstate: the posture is compliant (and, where configured, fresh). */
  compliant_posture: 1,
  /** Suspend: the posture turned non_compliant. */
  non_compliance: 2,
  /** Suspend: no assessment newer than the policy's staleAfterMs. */
  evidence_stale: 3,
  /** Revoke: the certificate stayed suspended for the whole grace period. */
  grace_period_elapsed: 4,
  /** Revoke: an assessment reported a failed critical requirement. */
  critical_requirement_failed: 5,
  /** Expire: the end of the validity period was reached. */
  validity_ended: 6,
  /** Withdraw: the auditee (or the certification body) asked for it. */
  withdrawn_on_request: 7,
  /** Withdraw: a newer approved scope version replaces the scope this certificate covers. */
  scope_superseded: 8,
  /** Revoke: the auditor retracted the approval the certification rests on. */
  approval_rejected: 9,
  /** Suspend: the posture is error, i.e. evidence exists but could not be evaluated. */
  posture_error: 10,
  /** Suspend: the certification body heard no verified posture statement within the policy's assessmentSilentAfterMs. */
  assessment_silent: 11,
} as const);

export type ReasonName = keyof typeof REASON_CODES;
export type ReasonCode = (typeof REASON_CODES)[ReasonName];
