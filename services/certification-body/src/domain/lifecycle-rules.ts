import { NO_CERTIFICATE, isLive } from './certificate-states.ts';
import type { CertificationDecisionState } from './decision-state.ts';
import { dueEndingDeadline, isSilent, isStale, silentAt } from './lifecycle-clock.ts';
import type { Cause, LifecycleEvent, LifecycleEventType } from './lifecycle-events.ts';
import type { ReasonName } from './reason-codes.ts';

type Suspension = { readonly reason: ReasonName; readonly detail: string };

/**
 * Compliant, no critical failure, fresh where the policy watches staleness, and the assessment not silent: enough to
 * issue or reinstate.
 */
function isHealthy(state: CertificationDecisionState, now: Date): boolean {
  const { posture } = state;
  return posture?.posture === 'compliant' && !posture.criticalFailed && !isStale(state, now) && !isSilent(state, now);
}

/**
 * Why an issued certificate must be suspended, or null. `pending` (some requirement has no evidence yet)
 * suspends only through staleness: the assessment is still running, it has not found a failure.
 */
function suspensionFor(state: CertificationDecisionState, now: Date): Suspension | null {
  const { posture, policy } = state;
  if (!posture) return null;
  const assessment = `assessment ${posture.assessmentId} (sequence ${posture.sequence})`;
  if (posture.posture === 'non_compliant' || posture.criticalFailed) {
    return { reason: 'non_compliance', detail: `posture non_compliant in ${assessment}` };
  }
  if (posture.posture === 'error') {
    return { reason: 'posture_error', detail: `posture error in ${assessment}: evidence could not be evaluated` };
  }
  if (isSilent(state, now)) {
    return {
      reason: 'assessment_silent',
      detail: `no posture statement from the assessment since ${posture.receivedAt.toISOString()} (silent since ${silentAt(state)!.toISOString()})`,
    };
  }
  if (isStale(state, now)) {
    const age = `${policy.staleAfterMs} ms`;
    return {
      reason: 'evidence_stale',
      detail: `${assessment} at ${posture.assessedAt.toISOString()} is older than ${age}`,
    };
  }
  return null;
}

/**
 * The one lifecycle event the state calls for at `now`, or null. Level-triggered: it looks at the recorded facts,
 * not at what just changed, so replaying an input or a tick never yields a second event for the same fact.
 * Precedence for a live certificate: reached deadlines (grace, validity), then critical failure, then posture.
 */
export function chooseEvent(state: CertificationDecisionState, now: Date, cause: Cause): LifecycleEvent | null {
  const event = (type: LifecycleEventType, reason: ReasonName, detail: string): LifecycleEvent => ({
    type,
    reason,
    detail,
    cause,
  });
  const { certificate, posture, policy, approval } = state;

  if (certificate.state === NO_CERTIFICATE) {
    if (!approval || !posture || !isHealthy(state, now)) return null;
    return event(
      'issue',
      'compliant_posture',
      `approval ${approval.ref} and compliant posture in assessment ${posture.assessmentId}`,
    );
  }
  if (!isLive(certificate.state)) return null;

  const deadline = dueEndingDeadline(state, now);
  if (deadline?.kind === 'validity_end') {
    return event('expire', 'validity_ended', `validity ended at ${deadline.at.toISOString()}`);
  }
  if (deadline) {
    const since = certificate.suspendedAt?.toISOString();
    return event(
      'revoke',
      'grace_period_elapsed',
      `suspended since ${since}; grace period ended at ${deadline.at.toISOString()}`,
    );
  }
  if (posture?.criticalFailed && policy.revokeOnCriticalFailure) {
    return event(
      'revoke',
      'critical_requirement_failed',
      `critical requirement failed in assessment ${posture.assessmentId}`,
    );
  }
  if (certificate.state === 'issued') {
    const suspension = suspensionFor(state, now);
    return suspension ? event('suspend', suspension.reason, suspension.detail) : null;
  }
  if (!posture || !isHealthy(state, now)) return null;
  return event(
    'reinstate',
    'compliant_posture',
    `posture compliant again in assessment ${posture.assessmentId} within the grace period`,
  );
}
