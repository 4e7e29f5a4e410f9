import { isLive } from './certificate-states.ts';
import type { CertificationDecisionState } from './decision-state.ts';

export type Deadline = {
  readonly kind: 'grace_end' | 'validity_end' | 'evidence_stale' | 'assessment_silent';
  readonly at: Date;
};

function after(start: Date, ms: number): Date {
  return new Date(start.getTime() + ms);
}

/** When the last applied assessment becomes stale, or null when the policy does not watch staleness. */
export function staleAt(state: CertificationDecisionState): Date | null {
  const { policy, posture } = state;
  if (!policy.suspendOnStaleEvidence || policy.staleAfterMs === undefined || !posture) return null;
  return after(posture.assessedAt, policy.staleAfterMs);
}

export function isStale(state: CertificationDecisionState, now: Date): boolean {
  const at = staleAt(state);
  return at !== null && at.getTime() <= now.getTime();
}

/** When the assessment counts as silent (nothing received since), or null when the policy does not watch it. */
export function silentAt(state: CertificationDecisionState): Date | null {
  const { policy, posture } = state;
  if (policy.assessmentSilentAfterMs === undefined || !posture) return null;
  return after(posture.receivedAt, policy.assessmentSilentAfterMs);
}

export function isSilent(state: CertificationDecisionState, now: Date): boolean {
  const at = silentAt(state);
  return at !== null && at.getTime() <= now.getTime();
}

/**
 * The moments at which time alone changes what decide() does for this state, earliest first.
 * On a tie the grace end comes first, so a certificate whose grace and validity end together is revoked,
 * the more conservative answer.
 */
export function pendingDeadlines(state: CertificationDecisionState): Deadline[] {
  const { certificate, policy } = state;
  if (!isLive(certificate.state)) return [];
  const deadlines: Deadline[] = [];
  if (certificate.state === 'suspended' && certificate.suspendedAt) {
    deadlines.push({ kind: 'grace_end', at: after(certificate.suspendedAt, policy.gracePeriodMs) });
  }
  if (certificate.expiresAt) deadlines.push({ kind: 'validity_end', at: certificate.expiresAt });
  const stale = certificate.state === 'issued' ? staleAt(state) : null;
  if (stale) deadlines.push({ kind: 'evidence_stale', at: stale });
  const silent = certificate.state === 'issued' ? silentAt(state) : null;
  if (silent) deadlines.push({ kind: 'assessment_silent', at: silent });
  return deadlines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** When the scheduler should next send a clock tick for this certification; null when no tick is needed. */
export function nextDeadline(state: CertificationDecisionState): Date | null {
  return pendingDeadlines(state)[0]?.at ?? null;
}

/** The earliest deadline that ends the certificate (grace or validity) and has been reached at `now`. */
export function dueEndingDeadline(state: CertificationDecisionState, now: Date): Deadline | undefined {
  return pendingDeadlines(state).find(
    (deadline) =>
      (deadline.kind === 'grace_end' || deadline.kind === 'validity_end') && deadline.at.getTime() <= now.getTime(),
  );
}
