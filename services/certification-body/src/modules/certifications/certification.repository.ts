import { sql, type Kysely, type Transaction } from 'kysely';
import type { CertificateState } from '../../domain/index.ts';
import type { StoredDecisionState } from './decision-state-codec.ts';

interface CertificationDatabase {
  certifications: {
    id: string;
    toe: string;
    decision_state: StoredDecisionState;
    certificate_id: string | null;
    next_deadline: Date | null;
    closed_at: Date | null;
    opened_at: Date;
    updated_at: Date;
  };
  certificates: {
    id: string;
    certification_id: string;
    toe: string;
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

export interface CertificationRecord {
  id: string;
  toe: string;
  decisionState: StoredDecisionState;
  certificateId: string | null;
}

export interface CertificateRecord {
  id: string;
  certificationId: string;
  toe: string;
  state: CertificateState;
  token: string;
  issuedAt: Date;
  expiresAt: Date;
  reasonCode: number;
  revokedAt: Date | null;
  updatedAt: Date;
}

export interface CertificateEventRecord {
  from: string;
  to: CertificateState;
  reasonCode: number;
  reason: string;
  cause: unknown;
  at: Date;
}

const toCertificate = (row: CertificationDatabase['certificates']): CertificateRecord => ({
  id: row.id,
  certificationId: row.certification_id,
  toe: row.toe,
  state: row.state,
  token: row.token,
  issuedAt: row.issued_at,
  expiresAt: row.expires_at,
  reasonCode: row.reason_code,
  revokedAt: row.revoked_at,
  updatedAt: row.updated_at,
});

/** Certifications, their certificates and the certificates' append-only history. */
export function createCertificationRepository(database: Kysely<any>) {
  const db = database as Kysely<CertificationDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<CertificationDatabase> | undefined) ?? db;

  return {
    transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => db.transaction().execute(work),

    async lockToe(toe: string, trx: Transaction<any>): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext(${`cabc:toe:${toe}`}))`.execute(trx);
    },

    async openCertification(toe: string, trx: Transaction<any>): Promise<CertificationRecord | undefined> {
      const row = await on(trx)
        .selectFrom('certifications')
        .select(['id', 'toe', 'decision_state', 'certificate_id'])
        .where('toe', '=', toe)
        .where('closed_at', 'is', null)
        .executeTakeFirst();
      return row ? { id: row.id, toe: row.toe, decisionState: row.decision_state, certificateId: row.certificate_id } : undefined;
    },

    async insertCertification(record: CertificationRecord, at: Date, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('certifications')
        .values({
          id: record.id,
          toe: record.toe,
          decision_state: JSON.stringify(record.decisionState) as never,
          certificate_id: record.certificateId,
          next_deadline: null,
          closed_at: null,
          opened_at: at,
          updated_at: at,
        })
        .execute();
    },

    async saveCertification(
      id: string,
      update: { decisionState: StoredDecisionState; certificateId: string | null; nextDeadline: Date | null; closed: boolean },
      at: Date,
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .updateTable('certifications')
        .set({
          decision_state: JSON.stringify(update.decisionState) as never,
          certificate_id: update.certificateId,
          next_deadline: update.nextDeadline,
          closed_at: update.closed ? at : null,
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    },

    /** ToEs whose certification has a deadline (grace end, expiry, staleness) at or before `now`. */
    async dueToes(now: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('certifications')
        .select('toe')
        .where('closed_at', 'is', null)
        .where('next_deadline', '<=', now)
        .orderBy('next_deadline')
        .limit(limit)
        .execute();
      return rows.map((row) => row.toe);
    },

    async insertCertificate(certificate: CertificateRecord, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('certificates')
        .values({
          id: certificate.id,
          certification_id: certificate.certificationId,
          toe: certificate.toe,
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
    ): Promise<void> {
      await on(trx)
        .updateTable('certificates')
        .set({
          state: change.state,
          reason_code: change.reasonCode,
          updated_at: change.at,
          ...(change.state === 'revoked' ? { revoked_at: change.at } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async appendEvent(certificateId: string, event: CertificateEventRecord, trx: Transaction<any>): Promise<void> {
      await on(trx)
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
        .execute();
    },

    async certificate(id: string): Promise<CertificateRecord | undefined> {
      const row = await db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCertificate(row) : undefined;
    },

    async certificatesOf(toe: string, limit: number): Promise<CertificateRecord[]> {
      const rows = await db.selectFrom('certificates').selectAll().where('toe', '=', toe).orderBy('issued_at', 'desc').limit(limit).execute();
      return rows.map(toCertificate);
    },

    async history(certificateId: string): Promise<CertificateEventRecord[]> {
      const rows = await db
        .selectFrom('certificate_events')
        .selectAll()
        .where('certificate_id', '=', certificateId)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({ from: row.from_state, to: row.to_state, reasonCode: row.reason_code, reason: row.reason, cause: row.cause, at: row.at }));
    },
  };
}

export type CertificationRepository = ReturnType<typeof createCertificationRepository>;
