import { randomUUID } from 'node:crypto';
import {
  CERTIFICATE_TYP,
  type CertificateClaims,
  type CertificateEventType,
  type PostureCallbackClaims,
  type ScopeDecisionClaims,
} from '@cabc/contracts';
import type { SigningKeyStore } from '@cabc/key-store';
import { signJwt } from '@cabc/crypto';
import { ConflictProblem, UnprocessableProblem } from '@cabc/http-kit';
import {
  decide,
  decisionPolicySchema,
  isLive,
  isTerminal,
  nextDeadline,
  openCertification,
  reasonName,
  transitionCertification,
  type Cause,
  type CertificationDecisionState,
  type DecisionPolicy,
  policyLimitViolations,
  type PolicyLimits,
  type HistoryEntry,
  type LifecycleEventType,
  type ReasonName,
} from '../../domain/index.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { describeActor, type Actor } from '../common/actor.ts';
import type { RunInTransaction, UnitOfWork } from '../common/unit-of-work.ts';
import {
  certificateNotFound,
  certificationNotFound,
  notLive,
  UnknownCertificationProblem,
} from './certification-errors.ts';
import type {
  CertificateRecord,
  CertificationRecord,
  CertificationRepository,
  OrgScope,
  RequirementSummary,
} from './certification.repository.ts';
import { decodeDecisionState, encodeDecisionState } from './decision-state-codec.ts';
import type { ScopeDecisionsRepository } from './scope-decisions.repository.ts';

export function certificateEventTypeOf(entry: Pick<HistoryEntry, 'from' | 'to'>): CertificateEventType {
  if (entry.to === 'issued') return entry.from === 'suspended' ? 'certificate.reinstated' : 'certificate.issued';
  return `certificate.${entry.to}`;
}

/** One transition, committed with the transaction that made it; listeners write their own rows in that transaction. */
export interface TransitionNotice {
  certification: CertificationRecord;
  certificate: CertificateRecord;
  entry: HistoryEntry;
  /** The history entry's id: increases with every transition the service records. */
  eventId: number;
  type: CertificateEventType;
}

export type TransitionListener = (notice: TransitionNotice, uow: UnitOfWork) => Promise<void>;

export interface DecisionOutcome {
  outcome: 'applied' | 'no_change' | 'stale';
  certificateId: string | null;
  state: string;
  detail: string;
}

export interface ScopeOutcome {
  outcome: 'applied' | 'no_change' | 'stale' | 'recorded';
  certificationId: string | null;
  certificateId: string | null;
  state: string | null;
  detail: string;
}

type Change = { next: CertificationDecisionState; entry?: HistoryEntry };

export function createCertificationService(deps: {
  certifications: CertificationRepository;
  scopeDecisions: ScopeDecisionsRepository;
  audit: AuditRepository;
  keys: SigningKeyStore;
  /** The policy new certifications start with. */
  policy: DecisionPolicy;
  /** What a policy change may set (the certification body's configuration). */
  policyLimits: PolicyLimits;
  certificateIssuer: string;
  /** Public base URL of this service; certificates then carry their status URL. */
  publicBaseUrl?: string;
  runInTransaction: RunInTransaction;
  onTransition?: TransitionListener;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const statusUrlOf = (certificateId: string) =>
    deps.publicBaseUrl ? new URL(`/v1/status/${certificateId}`, deps.publicBaseUrl).toString() : undefined;

  async function signCertificate(
    id: string,
    certification: CertificationRecord,
    next: CertificationDecisionState,
    at: Date,
  ) {
    const key = await deps.keys.active();
    const posture = next.posture;
    const expiresAt = next.certificate.expiresAt!;
    const critical = certification.requirements.filter((requirement) => requirement.critical).length;
    const statusUrl = statusUrlOf(id);
    return signJwt(
      {
        iss: deps.certificateIssuer,
        sub: id,
        jti: id,
        iat: Math.floor(at.getTime() / 1000),
        nbf: Math.floor(at.getTime() / 1000),
        exp: Math.floor(expiresAt.getTime() / 1000),
        toe: certification.toe,
        toeName: certification.toeName,
        org: certification.org,
        scope: { version: certification.scopeVersion, digest: certification.scopeDigest },
        // What is certified: the digests the approved scope pinned (empty lists: the scope pinned none).
        artifacts: certification.artifacts ?? { models: [], datasets: [] },
        requirements: { total: certification.requirements.length, critical, items: certification.requirements },
        validity: { notBefore: at.toISOString(), notAfter: expiresAt.toISOString() },
        certification: certification.id,
        assessment: posture
          ? {
              id: posture.assessmentId,
              sequence: posture.sequence,
              posture: posture.posture,
              assessedAt: posture.assessedAt.toISOString(),
            }
          : null,
        ...(statusUrl
          ? {
              status: {
                url: statusUrl,
                list: new URL(`/v1/status-lists/${certification.org}`, deps.publicBaseUrl).toString(),
              },
            }
          : {}),
      } satisfies CertificateClaims,
      key,
      { typ: CERTIFICATE_TYP },
    );
  }

  /**
   * Persists what one change did: certificate row (created at issue), history entry, certification state, next
   * deadline, and the end of the certification when the certificate became terminal (or `closeReason` says so).
   * Listeners (webhooks) write their rows in the same transaction.
   */
  async function persist(
    certification: CertificationRecord,
    change: Change,
    at: Date,
    uow: UnitOfWork,
    closeReason?: string,
  ): Promise<CertificationRecord> {
    const { trx } = uow;
    let certificateId = certification.certificateId;
    const { next, entry } = change;
    let certificate: CertificateRecord | undefined;
    if (entry) {
      if (entry.from === 'none') {
        certificateId = randomUUID();
        certificate = {
          id: certificateId,
          certificationId: certification.id,
          toe: certification.toe,
          org: certification.org,
          scopeVersion: certification.scopeVersion,
          state: entry.to,
          token: await signCertificate(certificateId, certification, next, at),
          issuedAt: at,
          expiresAt: next.certificate.expiresAt!,
          reasonCode: entry.reasonCode,
          revokedAt: null,
          updatedAt: at,
        };
        await deps.certifications.insertCertificate(certificate, trx);
      } else {
        certificate = await deps.certifications.updateCertificateState(
          certificateId!,
          { state: entry.to, reasonCode: entry.reasonCode, at },
          trx,
        );
      }
    }
    const eventId = entry ? await deps.certifications.appendEvent(certificateId!, entry, trx) : undefined;
    const ended = closeReason ?? (isTerminal(next.certificate.state) && entry ? reasonName(entry.reasonCode) : null);
    const decisionState = encodeDecisionState(next);
    const deadline = nextDeadline(next);
    await deps.certifications.saveCertification(
      certification.id,
      { decisionState, certificateId, nextDeadline: deadline, closeReason: ended },
      at,
      trx,
    );
    const saved: CertificationRecord = {
      ...certification,
      decisionState,
      certificateId,
      nextDeadline: ended === null ? deadline : null,
      closedAt: ended === null ? null : at,
      closeReason: ended,
      updatedAt: at,
    };
    if (entry && certificate && eventId !== undefined && deps.onTransition) {
      await deps.onTransition(
        { certification: saved, certificate, entry, eventId, type: certificateEventTypeOf(entry) },
        uow,
      );
    }
    return saved;
  }

  function describe(saved: CertificationRecord, change: Change): string {
    return change.entry
      ? `${change.entry.from} → ${change.entry.to}: ${change.entry.reason}`
      : `certification ${saved.id}: no lifecycle event`;
  }

  /** Applies the deadlines already reached (a request or message arriving before the scheduler's tick). */
  async function catchUp(
    certification: CertificationRecord,
    at: Date,
    ref: string,
    uow: UnitOfWork,
  ): Promise<CertificationRecord> {
    const decision = decide(decodeDecisionState(certification.decisionState), { kind: 'tick', now: at, ref });
    if (decision.outcome !== 'transition') return certification;
    return persist(certification, decision, at, uow);
  }

  /**
   * Ends an open certification because its scope no longer stands: the certificate is withdrawn (superseded) or
   * revoked (approval rejected); a certification without a certificate yet is just closed.
   */
  async function endForScope(
    certification: CertificationRecord,
    reason: Extract<ReasonName, 'scope_superseded' | 'approval_rejected'>,
    detail: string,
    cause: Cause,
    at: Date,
    uow: UnitOfWork,
  ): Promise<CertificationRecord> {
    const current = await catchUp(certification, at, cause.ref, uow);
    if (current.closedAt) return current;
    const state = decodeDecisionState(current.decisionState);
    if (!isLive(state.certificate.state)) return persist(current, { next: state }, at, uow, reason);
    const type: LifecycleEventType = reason === 'scope_superseded' ? 'withdraw' : 'revoke';
    return persist(current, transitionCertification(state, { type, reason, detail, cause }, at), at, uow, reason);
  }

  async function openScopedCertification(
    claims: ScopeDecisionClaims,
    at: Date,
    uow: UnitOfWork,
  ): Promise<CertificationRecord> {
    const requirements: RequirementSummary[] = claims.requirements.map(({ id, title, severity, critical }) => ({
      id,
      title,
      severity,
      critical,
    }));
    const approved = decide(openCertification(deps.policy), { kind: 'approval', now: at, ref: claims.jti });
    const record = {
      id: randomUUID(),
      toe: claims.toe,
      scopeVersion: claims.scopeVersion,
      org: claims.org,
      toeName: claims.toeName,
      scopeDigest: claims.scopeDigest,
      requirements,
      artifacts: claims.artifacts ?? null,
      approvalRef: claims.jti,
      decisionState: encodeDecisionState(approved.next),
    };
    await deps.certifications.insertCertification(record, at, uow.trx);
    return {
      ...record,
      certificateId: null,
      nextDeadline: null,
      closedAt: null,
      closeReason: null,
      openedAt: at,
      updatedAt: at,
    };
  }

  /** The open certification a posture callback acts on: the ToE's, of the scope version the posture was assessed against. */
  async function certificationForPosture(claims: PostureCallbackClaims, uow: UnitOfWork): Promise<CertificationRecord> {
    const open = await deps.certifications.openCertification(claims.toe, uow.trx);
    if (open && open.scopeVersion === claims.scopeVersion) return open;
    throw new UnknownCertificationProblem(
      `no open certification for ToE ${claims.toe} scope version ${claims.scopeVersion}` +
        (open ? ` (the open one covers scope version ${open.scopeVersion})` : ''),
    );
  }

  /** Loads a certificate the reader may see (another organization's is "not found", not "forbidden"). */
  async function visibleCertificate(id: string, scope: OrgScope): Promise<CertificateRecord> {
    const certificate = await deps.certifications.certificate(id);
    if (!certificate || certificate.org !== scope.org) throw certificateNotFound(id);
    return certificate;
  }

  return {
    now,

    /** Applies a verified posture callback inside the caller's transaction (which also recorded its jti). */
    async applyPosture(claims: PostureCallbackClaims, uow: UnitOfWork): Promise<DecisionOutcome> {
      const at = now();
      await deps.certifications.lockToe(claims.toe, uow.trx);
      const certification = await certificationForPosture(claims, uow);
      const decision = decide(decodeDecisionState(certification.decisionState), {
        kind: 'posture',
        now: at,
        restatement: claims.type === 'posture.restated',
        // The signature's age as the callback verifier measured it (the real clock), carried onto this service's clock.
        signedAt: new Date(at.getTime() - Math.max(0, Date.now() - claims.iat * 1000)),
        sequence: claims.sequence,
        assessmentId: claims.assessmentId,
        posture: claims.posture,
        criticalFailed: claims.criticalFailed,
        assessedAt: new Date(claims.assessedAt),
        ledgerCheckpoint: claims.ledgerCheckpoint ?? undefined,
      });
      const saved = await persist(certification, decision, at, uow);
      const state = decision.next.certificate.state;
      const certificateId = saved.certificateId;
      if (decision.outcome === 'ignored')
        return { outcome: 'stale', certificateId, state, detail: 'sequence not newer than the last applied one' };
      if (decision.outcome === 'no_event')
        return { outcome: 'no_change', certificateId, state, detail: 'no lifecycle event' };
      return { outcome: 'applied', certificateId, state, detail: describe(saved, decision) };
    },

    /**
     * Applies a verified scope decision inside the caller's transaction: `scope.approved` opens the certification of
     * that version (ending an older one), `scope.superseded` ends the version's certification, `scope.rejected` is
     * recorded and, for the version in force, retracts the approval (revocation, reason approval_rejected).
     */
    async applyScopeDecision(claims: ScopeDecisionClaims, uow: UnitOfWork): Promise<ScopeOutcome> {
      const at = now();
      const { toe, scopeVersion: version } = claims;
      await deps.certifications.lockToe(toe, uow.trx);
      const cause: Cause = { kind: 'callback', ref: claims.jti };
      const open = await deps.certifications.openCertification(toe, uow.trx);
      const result = await (async (): Promise<ScopeOutcome> => {
        const ofOpen = (outcome: ScopeOutcome['outcome'], detail: string, certification = open): ScopeOutcome => ({
          outcome,
          certificationId: certification?.id ?? null,
          certificateId: certification?.certificateId ?? null,
          state: certification ? decodeDecisionState(certification.decisionState).certificate.state : null,
          detail,
        });
        const ended = (certification: CertificationRecord, detail: string): ScopeOutcome => ({
          outcome: 'applied',
          certificationId: certification.id,
          certificateId: certification.certificateId,
          state: decodeDecisionState(certification.decisionState).certificate.state,
          detail,
        });
        switch (claims.type) {
          case 'scope.approved': {
            if (open?.scopeVersion === version)
              return ofOpen('no_change', `scope version ${version} of ${toe} is already the open certification`);
            const highest = await deps.certifications.highestScopeVersion(toe, uow.trx);
            if (
              (highest !== null && highest > version) ||
              (await deps.scopeDecisions.wasSuperseded(toe, version, uow.trx))
            ) {
              return ofOpen(
                'stale',
                `scope version ${version} of ${toe} is older than the one approved (${highest ?? 'superseded'}): not opened`,
              );
            }
            let detail = `opened the certification of ${toe} scope version ${version}`;
            if (open) {
              const closed = await endForScope(
                open,
                'scope_superseded',
                `scope version ${version} approved by ${claims.decidedBy} replaces version ${open.scopeVersion}`,
                cause,
                at,
                uow,
              );
              detail += `; closed certification ${closed.id} (${closed.closeReason})`;
            }
            const opened = await openScopedCertification(claims, at, uow);
            return { outcome: 'applied', certificationId: opened.id, certificateId: null, state: 'none', detail };
          }
          case 'scope.superseded': {
            if (!open || open.scopeVersion !== version)
              return ofOpen('no_change', `no open certification for ${toe} scope version ${version}`);
            const by = claims.supersededBy === null ? 'a newer version' : `version ${claims.supersededBy}`;
            const closed = await endForScope(
              open,
              'scope_superseded',
              `scope version ${version} superseded by ${by}`,
              cause,
              at,
              uow,
            );
            return ended(closed, `certification ${closed.id} closed: scope version ${version} superseded by ${by}`);
          }
          case 'scope.rejected': {
            if (!open || open.scopeVersion !== version)
              return ofOpen('recorded', `scope version ${version} of ${toe} rejected by ${claims.decidedBy}`);
            const closed = await endForScope(
              open,
              'approval_rejected',
              `the auditor (${claims.decidedBy}) rejected scope version ${version}, retracting its approval`,
              cause,
              at,
              uow,
            );
            return ended(closed, `certification ${closed.id} closed: approval of scope version ${version} retracted`);
          }
        }
      })();
      await deps.scopeDecisions.record(
        claims,
        { outcome: result.outcome, certificationId: result.certificationId },
        at,
        uow.trx,
      );
      return result;
    },

    /** Applies the passage of time (grace end, expiry, staleness) to one open certification. */
    async tick(certificationId: string, ref: string): Promise<DecisionOutcome | undefined> {
      return deps.runInTransaction(async (uow) => {
        const at = now();
        const found = await deps.certifications.certification(certificationId, uow.trx);
        if (!found) return undefined;
        await deps.certifications.lockToe(found.toe, uow.trx);
        const certification = await deps.certifications.certification(certificationId, uow.trx);
        if (!certification || certification.closedAt) return undefined;
        const decision = decide(decodeDecisionState(certification.decisionState), { kind: 'tick', now: at, ref });
        const saved = await persist(certification, decision, at, uow);
        const state = decision.next.certificate.state;
        if (decision.outcome !== 'transition')
          return {
            outcome: 'no_change' as const,
            certificateId: saved.certificateId,
            state,
            detail: 'no deadline reached',
          };
        return {
          outcome: 'applied' as const,
          certificateId: saved.certificateId,
          state,
          detail: describe(saved, decision),
        };
      });
    },

    dueCertifications: (limit: number) => deps.certifications.dueCertifications(now(), limit),

    visibleCertificate,

    /** The auditee (or an administrator) asks to end a certificate: withdrawn, reason 7, audited. */
    async withdraw(request: {
      certificateId: string;
      scope: OrgScope;
      actor: Actor;
      comment: string;
      requestId: string;
    }): Promise<CertificateRecord> {
      const { certificateId } = request;
      const certificate = await visibleCertificate(certificateId, request.scope);
      const outcome = await deps.runInTransaction(async (uow) => {
        const at = now();
        await deps.certifications.lockToe(certificate.toe, uow.trx);
        let certification = await deps.certifications.certification(certificate.certificationId, uow.trx);
        if (!certification || certification.closedAt || certification.certificateId !== certificateId) {
          const stored = await deps.certifications.certificate(certificateId, uow.trx);
          return { conflict: stored?.state ?? 'unknown' };
        }
        certification = await catchUp(certification, at, `request:${request.requestId}`, uow);
        const state = decodeDecisionState(certification.decisionState);
        if (!isLive(state.certificate.state)) return { conflict: state.certificate.state };
        const detail = `withdrawn at the request of ${describeActor(request.actor)}: ${request.comment}`;
        const change = transitionCertification(
          state,
          {
            type: 'withdraw',
            reason: 'withdrawn_on_request',
            detail,
            cause: { kind: 'request', ref: request.requestId },
          },
          at,
        );
        await persist(certification, change, at, uow);
        await deps.audit.record(
          {
            at,
            actor: request.actor,
            action: 'certificate.withdraw',
            targetType: 'certificate',
            targetId: certificateId,
            org: certificate.org,
            before: { state: state.certificate.state },
            after: { state: 'withdrawn', reasonCode: change.entry.reasonCode },
            comment: request.comment,
            requestId: request.requestId,
          },
          uow.trx,
        );
        return { conflict: undefined };
      });
      if (outcome.conflict !== undefined) throw notLive(`certificate ${certificateId}`, outcome.conflict);
      return (await deps.certifications.certificate(certificateId))!;
    },

    /** Replaces one open certification's policy (the certification body's staff), within its limits; audited; deadlines follow at once. */
    async setPolicy(request: {
      certificationId: string;
      scope: OrgScope;
      policy: unknown;
      actor: Actor;
      comment: string;
      requestId: string;
    }): Promise<CertificationRecord> {
      const parsed = decisionPolicySchema.safeParse(request.policy);
      const fields = parsed.success
        ? policyLimitViolations(parsed.data, deps.policyLimits)
        : parsed.error.issues.map((issue) => ({
            field: ['policy', ...issue.path.map(String)].join('.'),
            message: issue.message,
          }));
      if (!parsed.success || fields.length > 0) {
        throw new UnprocessableProblem(
          'invalid-policy',
          'Invalid policy',
          fields.map((f) => `${f.field}: ${f.message}`).join('; '),
          fields,
        );
      }
      const policy = Object.freeze(parsed.data);
      const found = await deps.certifications.certification(request.certificationId);
      if (!found || found.org !== request.scope.org) throw certificationNotFound(request.certificationId);
      return deps.runInTransaction(async (uow) => {
        const at = now();
        await deps.certifications.lockToe(found.toe, uow.trx);
        const certification = (await deps.certifications.certification(request.certificationId, uow.trx))!;
        if (certification.closedAt)
          throw new ConflictProblem(`certification ${certification.id} is closed (${certification.closeReason})`);
        const before = decodeDecisionState(certification.decisionState);
        const withPolicy = await persist(certification, { next: { ...before, policy } }, at, uow);
        await deps.audit.record(
          {
            at,
            actor: request.actor,
            action: 'certification.set_policy',
            targetType: 'certification',
            targetId: certification.id,
            org: certification.org,
            before: before.policy,
            after: policy,
            comment: request.comment,
            requestId: request.requestId,
          },
          uow.trx,
        );
        return catchUp(withPolicy, at, `request:${request.requestId}`, uow);
      });
    },
  };
}

export type CertificationService = ReturnType<typeof createCertificationService>;
