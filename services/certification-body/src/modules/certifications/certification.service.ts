import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { PostureCallbackClaims } from '@cabc/contracts';
import { signJwt, type SigningKeyStore } from '@cabc/crypto';
import {
  decide,
  isTerminal,
  nextDeadline,
  openCertification,
  type CertificationDecisionState,
  type Decision,
  type DecisionPolicy,
} from '../../domain/index.ts';
import type { CertificationRepository, CertificationRecord } from './certification.repository.ts';
import { decodeDecisionState, encodeDecisionState } from './decision-state-codec.ts';

export const CERTIFICATE_TYP = 'cabc-certificate+jwt';

export interface DecisionOutcome {
  outcome: 'applied' | 'no_change' | 'stale';
  certificateId: string | null;
  state: string;
  detail: string;
}

export function createCertificationService(deps: {
  certifications: CertificationRepository;
  keys: SigningKeyStore;
  policy: DecisionPolicy;
  certificateIssuer: string;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  async function signCertificate(id: string, certification: CertificationRecord, next: CertificationDecisionState, at: Date) {
    const key = await deps.keys.active();
    const posture = next.posture;
    return signJwt(
      {
        iss: deps.certificateIssuer,
        sub: id,
        iat: Math.floor(at.getTime() / 1000),
        nbf: Math.floor(at.getTime() / 1000),
        exp: Math.floor(next.certificate.expiresAt!.getTime() / 1000),
        toe: certification.toe,
        certification: certification.id,
        assessment: posture
          ? { id: posture.assessmentId, sequence: posture.sequence, posture: posture.posture, assessedAt: posture.assessedAt.toISOString() }
          : null,
      },
      key,
      { typ: CERTIFICATE_TYP },
    );
  }

  /** Persists what one decision changed: certificate row, history entry, certification state and next deadline. */
  async function persist(certification: CertificationRecord, decision: Decision, at: Date, trx: Transaction<any>): Promise<DecisionOutcome> {
    let certificateId = certification.certificateId;
    if (decision.outcome === 'transition') {
      const { entry } = decision;
      if (entry.from === 'none') {
        certificateId = randomUUID();
        await deps.certifications.insertCertificate(
          {
            id: certificateId,
            certificationId: certification.id,
            toe: certification.toe,
            state: entry.to,
            token: await signCertificate(certificateId, certification, decision.next, at),
            issuedAt: at,
            expiresAt: decision.next.certificate.expiresAt!,
            reasonCode: entry.reasonCode,
            revokedAt: null,
            updatedAt: at,
          },
          trx,
        );
      } else {
        await deps.certifications.updateCertificateState(certificateId!, { state: entry.to, reasonCode: entry.reasonCode, at }, trx);
      }
      await deps.certifications.appendEvent(certificateId!, entry, trx);
    }
    const next = decision.next;
    await deps.certifications.saveCertification(
      certification.id,
      {
        decisionState: encodeDecisionState(next),
        certificateId,
        nextDeadline: nextDeadline(next),
        closed: isTerminal(next.certificate.state),
      },
      at,
      trx,
    );
    const state = next.certificate.state;
    if (decision.outcome === 'ignored') return { outcome: 'stale', certificateId, state, detail: 'sequence not newer than the last applied one' };
    if (decision.outcome === 'no_event') return { outcome: 'no_change', certificateId, state, detail: 'no lifecycle event' };
    return { outcome: 'applied', certificateId, state, detail: `${decision.entry.from} → ${decision.entry.to}: ${decision.entry.reason}` };
  }

  async function certificationFor(toe: string, at: Date, ref: string, trx: Transaction<any>): Promise<CertificationRecord> {
    const open = await deps.certifications.openCertification(toe, trx);
    if (open) return open;
    // Until scope approval exists, the first verified callback for a ToE opens its certification and stands in
    // for the approval (its ref is kept in the decision state).
    const state: CertificationDecisionState = { ...openCertification(deps.policy), approval: { ref, at } };
    const record: CertificationRecord = { id: randomUUID(), toe, decisionState: encodeDecisionState(state), certificateId: null };
    await deps.certifications.insertCertification(record, at, trx);
    return record;
  }

  return {
    /** Applies a verified posture callback inside the caller's transaction (which also recorded its jti). */
    async applyPosture(claims: PostureCallbackClaims, trx: Transaction<any>): Promise<DecisionOutcome> {
      const at = now();
      await deps.certifications.lockToe(claims.toe, trx);
      const certification = await certificationFor(claims.toe, at, `callback:${claims.jti}`, trx);
      const decision = decide(decodeDecisionState(certification.decisionState), {
        kind: 'posture',
        now: at,
        sequence: claims.sequence,
        assessmentId: claims.assessmentId,
        posture: claims.posture,
        criticalFailed: claims.criticalFailed,
        assessedAt: new Date(claims.assessedAt),
      });
      return persist(certification, decision, at, trx);
    },

    /** Applies the passage of time (grace end, expiry, staleness) to one ToE's open certification. */
    async tick(toe: string, ref: string): Promise<DecisionOutcome | undefined> {
      return deps.certifications.transaction(async (trx) => {
        const at = now();
        await deps.certifications.lockToe(toe, trx);
        const certification = await deps.certifications.openCertification(toe, trx);
        if (!certification) return undefined;
        const decision = decide(decodeDecisionState(certification.decisionState), { kind: 'tick', now: at, ref });
        return persist(certification, decision, at, trx);
      });
    },

    dueToes: (limit: number) => deps.certifications.dueToes(now(), limit),
  };
}

export type CertificationService = ReturnType<typeof createCertificationService>;
