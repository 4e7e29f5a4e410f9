import type { Generated, Kysely, Transaction } from 'kysely';
import type { OutboxDatabase, OutboxStatus } from '@cabc/outbox';

export interface CollectorDatabase extends OutboxDatabase {
  submissions: {
    id: string;
    org: string;
    submitted_by: string;
    submitter_role: string;
    toe: string;
    mode: SubmissionMode;
    fingerprint: string;
    idempotency_key: string | null;
    created_at: Generated<Date>;
  };
  evidence: {
    id: string;
    seq: Generated<string>;
    submission_id: string;
    item_index: number;
    org: string;
    toe: string;
    kind: string;
    format: string | null;
    file_name: string | null;
    raw_sha256: string | null;
    envelope: string;
    envelope_sha256: string;
    statement_sha256: string;
    outbox_id: number;
    created_at: Generated<Date>;
  };
  raw_artifacts: {
    sha256: string;
    media_type: string;
    size_bytes: number;
    content: Buffer;
    created_at: Generated<Date>;
  };
}

export type SubmissionMode = 'unified' | 'native' | 'multipart' | 'pull';

export interface StoredEvidence {
  id: string;
  seq: string;
  submissionId: string;
  itemIndex: number;
  org: string;
  toe: string;
  kind: string;
  format: string | null;
  fileName: string | null;
  rawSha256: string | null;
  envelopeSha256: string;
  statementSha256: string;
  createdAt: Date;
  outbox: {
    id: number;
    status: OutboxStatus;
    attempts: number;
    lastError: string | null;
    deliveredAt: Date | null;
    responseBody: string | null;
  };
}

export interface StoredSubmission {
  id: string;
  org: string;
  toe: string;
  mode: SubmissionMode;
  fingerprint: string;
  createdAt: Date;
}

export interface NewSubmission {
  id: string;
  org: string;
  submittedBy: string;
  submitterRole: string;
  toe: string;
  mode: SubmissionMode;
  fingerprint: string;
  idempotencyKey: string | null;
}

export interface NewEvidence {
  id: string;
  submissionId: string;
  itemIndex: number;
  org: string;
  toe: string;
  kind: string;
  format: string | null;
  fileName: string | null;
  rawSha256: string | null;
  envelope: string;
  envelopeSha256: string;
  statementSha256: string;
  outboxId: number;
}

export interface NewRawArtifact {
  sha256: string;
  mediaType: string;
  content: Buffer;
}

type Executor = Kysely<CollectorDatabase> | Transaction<CollectorDatabase>;

export function createEvidenceRepository(database: Kysely<any>) {
  const db = database as Kysely<CollectorDatabase>;

  const selectWithDelivery = (executor: Executor) =>
    executor
      .selectFrom('evidence')
      .innerJoin('outbox', 'outbox.id', 'evidence.outbox_id')
      .select([
        'evidence.id',
        'evidence.seq',
        'evidence.submission_id',
        'evidence.item_index',
        'evidence.org',
        'evidence.toe',
        'evidence.kind',
        'evidence.format',
        'evidence.file_name',
        'evidence.raw_sha256',
        'evidence.envelope_sha256',
        'evidence.statement_sha256',
        'evidence.created_at',
        'outbox.id as outbox_id',
        'outbox.status',
        'outbox.attempts',
        'outbox.last_error',
        'outbox.delivered_at',
        'outbox.response_body',
      ]);

  type Row = Awaited<ReturnType<ReturnType<typeof selectWithDelivery>['executeTakeFirstOrThrow']>>;
  const toStored = (row: Row): StoredEvidence => ({
    id: row.id,
    seq: String(row.seq),
    submissionId: row.submission_id,
    itemIndex: row.item_index,
    org: row.org,
    toe: row.toe,
    kind: row.kind,
    format: row.format,
    fileName: row.file_name,
    rawSha256: row.raw_sha256,
    envelopeSha256: row.envelope_sha256,
    statementSha256: row.statement_sha256,
    createdAt: row.created_at,
    outbox: {
      id: Number(row.outbox_id),
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      deliveredAt: row.delivered_at,
      responseBody: row.response_body,
    },
  });

  const toSubmission = (row: {
    id: string;
    org: string;
    toe: string;
    mode: SubmissionMode;
    fingerprint: string;
    created_at: Date;
  }): StoredSubmission => ({
    id: row.id,
    org: row.org,
    toe: row.toe,
    mode: row.mode,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
  });

  /** One submission of an organization, by id or by Idempotency-Key. */
  const submissionOf = async (
    org: string,
    column: 'id' | 'idempotency_key',
    value: string,
  ): Promise<StoredSubmission | undefined> => {
    const row = await db
      .selectFrom('submissions')
      .select(['id', 'org', 'toe', 'mode', 'fingerprint', 'created_at'])
      .where('org', '=', org)
      .where(column, '=', value)
      .executeTakeFirst();
    return row ? toSubmission(row) : undefined;
  };
  return {
    async insertSubmission(submission: NewSubmission, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<CollectorDatabase>)
        .insertInto('submissions')
        .values({
          id: submission.id,
          org: submission.org,
          submitted_by: submission.submittedBy,
          submitter_role: submission.submitterRole,
          toe: submission.toe,
          mode: submission.mode,
          fingerprint: submission.fingerprint,
          idempotency_key: submission.idempotencyKey,
        })
        .execute();
    },

    async insertEvidence(evidence: NewEvidence, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<CollectorDatabase>)
        .insertInto('evidence')
        .values({
          id: evidence.id,
          submission_id: evidence.submissionId,
          item_index: evidence.itemIndex,
          org: evidence.org,
          toe: evidence.toe,
          kind: evidence.kind,
          format: evidence.format,
          file_name: evidence.fileName,
          raw_sha256: evidence.rawSha256,
          envelope: evidence.envelope,
          envelope_sha256: evidence.envelopeSha256,
          statement_sha256: evidence.statementSha256,
          outbox_id: evidence.outboxId,
        })
        .execute();
    },

    /** Stores the bytes under their digest unless they are there already (content addressing makes that a no-op). */
    async putRawArtifact(artifact: NewRawArtifact, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<CollectorDatabase>)
        .insertInto('raw_artifacts')
        .values({
          sha256: artifact.sha256,
          media_type: artifact.mediaType,
          size_bytes: artifact.content.length,
          content: artifact.content,
        })
        .onConflict((conflict) => conflict.column('sha256').doNothing())
        .execute();
    },

    findSubmissionByIdempotencyKey: (org: string, key: string) => submissionOf(org, 'idempotency_key', key),

    findSubmission: (org: string, id: string) => submissionOf(org, 'id', id),

    async evidenceOfSubmission(submissionId: string): Promise<StoredEvidence[]> {
      const rows = await selectWithDelivery(db)
        .where('evidence.submission_id', '=', submissionId)
        .orderBy('evidence.item_index')
        .execute();
      return rows.map(toStored);
    },

    async findById(org: string, id: string): Promise<StoredEvidence | undefined> {
      const row = await selectWithDelivery(db)
        .where('evidence.id', '=', id)
        .where('evidence.org', '=', org)
        .executeTakeFirst();
      return row ? toStored(row) : undefined;
    },

    /** Newest first; `beforeSeq` is the keyset cursor (the last row of the previous page). */
    async list(
      org: string,
      options: { toe?: string | undefined; beforeSeq?: string | undefined; limit: number },
    ): Promise<StoredEvidence[]> {
      let query = selectWithDelivery(db).where('evidence.org', '=', org);
      if (options.toe !== undefined) query = query.where('evidence.toe', '=', options.toe);
      if (options.beforeSeq !== undefined) query = query.where('evidence.seq', '<', options.beforeSeq);
      const rows = await query.orderBy('evidence.seq', 'desc').limit(options.limit).execute();
      return rows.map(toStored);
    },

    async findEnvelope(org: string, id: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('evidence')
        .select('envelope')
        .where('id', '=', id)
        .where('org', '=', org)
        .executeTakeFirst();
      return row?.envelope;
    },

    /** The raw bytes, if evidence of `org` refers to them (digests of other organizations' files are not disclosed). */
    async findRawArtifact(org: string, sha256: string): Promise<{ mediaType: string; content: Buffer } | undefined> {
      const row = await db
        .selectFrom('raw_artifacts')
        .select(['media_type', 'content'])
        .where('sha256', '=', sha256)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('evidence')
              .select('evidence.id')
              .where('evidence.org', '=', org)
              .where('evidence.raw_sha256', '=', sha256),
          ),
        )
        .executeTakeFirst();
      return row ? { mediaType: row.media_type, content: row.content } : undefined;
    },

    transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => db.transaction().execute(work),
  };
}

export type EvidenceRepository = ReturnType<typeof createEvidenceRepository>;
