import type { CertifiedArtifacts } from '@cabc/contracts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CertificateState } from '../../domain/index.ts';
import type { StoredDecisionState } from './decision-state-codec.ts';

export interface RequirementSummary {
  id: string;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  critical: boolean;
}

interface CertificationDatabase {
  certifications: {
    id: string;
    toe: string;
    // Nullable columns (added by a migration to rows from before scopes), but every certification is opened by a
    // scope approval, which sets them all; certificates copy org and scope version from it.
    scope_version: number;
    org: string;
    toe_name: string;
    scope_digest: string;
    requirements: RequirementSummary[];
    /** Null for certifications opened before scope decisions carried pinned artifacts. */
    artifacts: CertifiedArtifacts | null;
    approval_ref: string;
    decision_state: StoredDecisionState;
    certificate_id: string | null;
    next_deadline: Date | null;
    closed_at: Date | null;
    close_reason: string | null;
    opened_at: Date;
    updated_at: Date;
  };
  certificates: {
    id: string;
    certification_id: string;
    toe: string;
    org: string;
    scope_version: number;
    state: CertificateState;
    token: string;
    issued_at: Date;
    expires_at: Date;
    reason_code: number;
    revoked_at: Date | null;
    updated_at: Date;
  };
  certificate_events: {
    id?: number;
    certificate_id: string;
    from_state: string;
    to_state: CertificateState;
    reason_code: number;
    reason: string;
    cause: unknown;
    at: Date;
  };
}

/** The model and dataset digests the approved scope pinned: what the certificate is about. */
export type { CertifiedArtifacts } from '@cabc/contracts';

export interface CertificationRecord {
  id: string;
  toe: string;
  /** The approved scope version it covers. */
  scopeVersion: number;
  org: string;
  toeName: string;
  scopeDigest: string;
  requirements: RequirementSummary[];
  artifacts: CertifiedArtifacts | null;
  /** The jti of the scope approval that opened it. */
  approvalRef: string;
  decisionState: StoredDecisionState;
  certificateId: string | null;
  nextDeadline: Date | null;
  closedAt: Date | null;
  closeReason: string | null;
  openedAt: Date;
  updatedAt: Date;
}

export type NewCertification = Omit<
  CertificationRecord,
  'nextDeadline' | 'closedAt' | 'closeReason' | 'openedAt' | 'updatedAt' | 'certificateId'
>;

export interface CertificateRecord {
  id: string;
  certificationId: string;
  toe: string;
  org: string;
  scopeVersion: number;
  state: CertificateState;
  token: string;
  issuedAt: Date;
  expiresAt: Date;
  reasonCode: number;
  revokedAt: Date | null;
  updatedAt: Date;
}

export interface CertificateEventRecord {
  id?: number;
  from: string;
  to: CertificateState;
  reasonCode: number;
  reason: string;
  cause: unknown;
  at: Date;
}

type CertificationRow = CertificationDatabase['certifications'];

const toCertification = (row: CertificationRow): CertificationRecord => ({
  id: row.id,
  toe: row.toe,
  scopeVersion: row.scope_version,
  org: row.org,
  toeName: row.toe_name,
  scopeDigest: row.scope_digest,
  requirements: row.requirements,
  artifacts: row.artifacts,
  approvalRef: row.approval_ref,
  decisionState: row.decision_state,
  certificateId: row.certificate_id,
  nextDeadline: row.next_deadline,
  closedAt: row.closed_at,
  closeReason: row.close_reason,
  openedAt: row.opened_at,
  updatedAt: row.updated_at,
});

const toCertificate = (row: CertificationDatabase['certificates']): CertificateRecord => ({
  id: row.id,
  certificationId: row.certification_id,
  toe: row.toe,
  org: row.org,
  scopeVersion: row.scope_version,
  state: row.state,
  token: row.token,
  issuedAt: row.issued_at,
  expiresAt: row.expires_at,
  reasonCode: row.reason_code,
  revokedAt: row.revoked_at,
  updatedAt: row.updated_at,
});

/** Which certificates a reader may see: those of the one organization its token is scoped to. */
export type OrgScope = { kind: 'org'; org: string };

/** Certifications, their certificates and the certificates' append-only history. */
export function createCertificationRepository(database: Kysely<any>) {
  const db = database as Kysely<CertificationDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<CertificationDatabase> | undefined) ?? db;

  return {
    /** Serializes everything that changes one ToE's certifications (callbacks, ticks, requests). */
    async lockToe(toe: string, trx: Transaction<any>): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext(${`cabc:toe:${toe}`}))`.execute(trx);
    },

    async openCertification(toe: string, trx?: Transaction<any>): Promise<CertificationRecord | undefined> {
      const row = await on(trx)
        .selectFrom('certifications')
        .selectAll()
        .where('toe', '=', toe)
        .where('closed_at', 'is', null)
        .executeTakeFirst();
      return row ? toCertification(row) : undefined;
    },

    async certification(id: string, trx?: Transaction<any>): Promise<CertificationRecord | undefined> {
      const row = await on(trx).selectFrom('certifications').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCertification(row) : undefined;
    },

    /** The highest scope version any certification of this ToE was opened for. */
    async highestScopeVersion(toe: string, trx?: Transaction<any>): Promise<number | null> {
      const row = await on(trx)
        .selectFrom('certifications')
        .select((eb) => eb.fn.max('scope_version').as('version'))
        .where('toe', '=', toe)
        .executeTakeFirst();
      return (row?.version as number | null | undefined) ?? null;
    },

    async listCertifications(filter: { toe?: string; scope: OrgScope }, limit: number): Promise<CertificationRecord[]> {
      let query = db.selectFrom('certifications').selectAll();
      if (filter.toe) query = query.where('toe', '=', filter.toe);
      query = query.where('org', '=', filter.scope.org);
      const rows = await query.orderBy('opened_at', 'desc').orderBy('id').limit(limit).execute();
      return rows.map(toCertification);
    },

    async insertCertification(record: NewCertification, at: Date, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('certifications')
        .values({
          id: record.id,
          toe: record.toe,
          scope_version: record.scopeVersion,
          org: record.org,
          toe_name: record.toeName,
          scope_digest: record.scopeDigest,
          requirements: JSON.stringify(record.requirements) as never,
          artifacts: record.artifacts === null ? null : (JSON.stringify(record.artifacts) as never),
          approval_ref: record.approvalRef,
          decision_state: JSON.stringify(record.decisionState) as never,
          certificate_id: null,
          next_deadline: null,
          closed_at: null,
          close_reason: null,
          opened_at: at,
          updated_at: at,
        })
        .execute();
    },

    async saveCertification(
      id: string,
      update: {
        decisionState: StoredDecisionState;
        certificateId: string | null;
        nextDeadline: Date | null;
        /** Set when the certification ends (terminal certificate, superseded or rejected scope). */
        closeReason: string | null;
      },
      at: Date,
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .updateTable('certifications')
        .set({
          decision_state: JSON.stringify(update.decisionState) as never,
          certificate_id: update.certificateId,
          next_deadline: update.closeReason === null ? update.nextDeadline : null,
          closed_at: update.closeReason === null ? null : at,
          close_reason: update.closeReason,
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    },

    /** Open certifications with a deadline (grace end, expiry, staleness) at or before `now`. */
    async dueCertifications(now: Date, limit: number): Promise<{ id: string; toe: string }[]> {
      return db
        .selectFrom('certifications')
        .select(['id', 'toe'])
        .where('closed_at', 'is', null)
        .where('next_deadline', '<=', now)
        .orderBy('next_deadline')
        .limit(limit)
        .execute();
    },

    async insertCertificate(certificate: CertificateRecord, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('certificates')
        .values({
          id: certificate.id,
          certification_id: certificate.certificationId,
          toe: certificate.toe,
          org: certificate.org,
          scope_version: certificate.scopeVersion,
          state: certificate.state,
          token: certificate.token,
          issued_at: certificate.issuedAt,
          expires_at: certificate.expiresAt,
          reason_code: certificate.reasonCode,
          revoked_at: certificate.revokedAt,
          updated_at: certificate.updatedAt,
        })
        .execute();
    },

    async updateCertificateState(
      id: string,
      change: { state: CertificateState; reasonCode: number; at: Date },
      trx: Transaction<any>,
    ): Promise<CertificateRecord> {
      const row = await on(trx)
        .updateTable('certificates')
        .set({
          state: change.state,
          reason_code: change.reasonCode,
          updated_at: change.at,
          ...(change.state === 'revoked' ? { revoked_at: change.at } : {}),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCertificate(row);
    },

    /** Appends a history entry; returns its id (the order of transitions across the service). */
    async appendEvent(certificateId: string, event: CertificateEventRecord, trx: Transaction<any>): Promise<number> {
      const row = await on(trx)
        .insertInto('certificate_events')
        .values({
          certificate_id: certificateId,
          from_state: event.from,
          to_state: event.to,
          reason_code: event.reasonCode,
          reason: event.reason,
          cause: JSON.stringify(event.cause),
          at: event.at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },

    async certificate(id: string, trx?: Transaction<any>): Promise<CertificateRecord | undefined> {
      const row = await on(trx).selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCertificate(row) : undefined;
    },

    async certificatesOf(filter: { toe: string; scope: OrgScope }, limit: number): Promise<CertificateRecord[]> {
      const query = db
        .selectFrom('certificates')
        .selectAll()
        .where('toe', '=', filter.toe)
        .where('org', '=', filter.scope.org);
      const rows = await query.orderBy('issued_at', 'desc').orderBy('id').limit(limit).execute();
      return rows.map(toCertificate);
    },

    /** Every certificate of an organization (status lists), oldest first. */
    async certificatesOfOrg(org: string, limit: number): Promise<CertificateRecord[]> {
      const rows = await db
        .selectFrom('certificates')
        .selectAll()
        .where('org', '=', org)
        .orderBy('issued_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toCertificate);
    },

    async history(certificateId: string): Promise<CertificateEventRecord[]> {
      const rows = await db
        .selectFrom('certificate_events')
        .selectAll()
        .where('certificate_id', '=', certificateId)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: Number(row.id),
        from: row.from_state,
        to: row.to_state,
        reasonCode: row.reason_code,
        reason: row.reason,
        cause: row.cause,
        at: row.at,
      }));
    },
  };
}

export type CertificationRepository = ReturnType<typeof createCertificationRepository>;
