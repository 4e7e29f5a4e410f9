import { parseDecisionPolicy, type CertificationDecisionState, type DecisionPolicyInput } from '../../domain/index.ts';

/** The decision state as stored in jsonb: dates as ISO strings, the policy as its input form. */
export type StoredDecisionState = {
  policy: DecisionPolicyInput;
  approval: { ref: string; at: string } | null;
  certificate: { state: string; expiresAt: string | null; suspendedAt: string | null };
  posture: {
    sequence: number;
    assessmentId: string;
    posture: string;
    criticalFailed: boolean;
    assessedAt: string;
    /** Absent in states stored before it was kept: assessedAt stands in. */
    receivedAt?: string;
  } | null;
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const date = (text: string | null) => (text ? new Date(text) : null);

export function encodeDecisionState(state: CertificationDecisionState): StoredDecisionState {
  return {
    policy: { ...state.policy },
    approval: state.approval ? { ref: state.approval.ref, at: state.approval.at.toISOString() } : null,
    certificate: {
      state: state.certificate.state,
      expiresAt: iso(state.certificate.expiresAt),
      suspendedAt: iso(state.certificate.suspendedAt),
    },
    posture: state.posture
      ? {
          ...state.posture,
          assessedAt: state.posture.assessedAt.toISOString(),
          receivedAt: state.posture.receivedAt.toISOString(),
        }
      : null,
  };
}

export function decodeDecisionState(stored: StoredDecisionState): CertificationDecisionState {
  return {
    policy: parseDecisionPolicy(stored.policy),
    approval: stored.approval ? { ref: stored.approval.ref, at: new Date(stored.approval.at) } : null,
    certificate: {
      state: stored.certificate.state as CertificationDecisionState['certificate']['state'],
      expiresAt: date(stored.certificate.expiresAt),
      suspendedAt: date(stored.certificate.suspendedAt),
    },
    posture: stored.posture
      ? {
          ...stored.posture,
          posture: stored.posture.posture as NonNullable<CertificationDecisionState['posture']>['posture'],
          assessedAt: new Date(stored.posture.assessedAt),
          receivedAt: new Date(stored.posture.receivedAt ?? stored.posture.assessedAt),
        }
      : null,
  };
}
