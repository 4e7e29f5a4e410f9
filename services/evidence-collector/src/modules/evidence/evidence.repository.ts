import type { Kysely, Transaction } from 'kysely';
import type { OutboxDatabase } from '@cabc/outbox';

interface EvidenceTable {
  id: string;
  toe: string;
  kind: string;
  envelope: string;
  envelope_sha256: string;
  statement_sha256: string;
  outbox_id: number;
  idempotency_key: string | null;
  created_at: Date;
}

interface CollectorDatabase extends OutboxDatabase {
  evidence: EvidenceTable;
}

export interface StoredEvidence {
  id: string;
  toe: string;
  kind: string;
  envelopeSha256: string;
  statementSha256: string;
  createdAt: Date;
  outbox: {
    id: number;
    status: 'pending' | 'delivered' | 'rejected';
    attempts: number;
    lastError: string | null;
    deliveredAt: Date | null;
    responseBody: string | null;
  };
}

export interface NewEvidence {
  id: string;
  toe: string;
  kind: string;
  envelope: string;
  envelopeSha256: string;
  statementSha256: string;
  outboxId: number;
  idempotencyKey: string | null;
}

export function createEvidenceRepository(database: Kysely<any>) {
  const db = database as Kysely<CollectorDatabase>;

  const selectWithDelivery = (executor: Kysely<CollectorDatabase> | Transaction<CollectorDatabase>) =>
    executor
      .selectFrom('evidence')
      .innerJoin('outbox', 'outbox.id', 'evidence.outbox_id')
      .select([
        'evidence.id',
        'evidence.toe',
        'evidence.kind',
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
    toe: row.toe,
    kind: row.kind,
    envelopeSha256: row.envelope_sha256,
    statementSha256: row.statement_sha256,
    createdAt: row.created_at,
    outbox: {
      id: row.outbox_id,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      deliveredAt: row.delivered_at,
      responseBody: row.response_body,
    },
  });

  return {
    async insert(evidence: NewEvidence, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<CollectorDatabase>)
        .insertInto('evidence')
        .values({
          id: evidence.id,
          toe: evidence.toe,
          kind: evidence.kind,
          envelope: evidence.envelope,
          envelope_sha256: evidence.envelopeSha256,
          statement_sha256: evidence.statementSha256,
          outbox_id: evidence.outboxId,
          idempotency_key: evidence.idempotencyKey,
          created_at: new Date(),
        })
        .execute();
    },
    async findById(id: string): Promise<StoredEvidence | undefined> {
      const row = await selectWithDelivery(db).where('evidence.id', '=', id).executeTakeFirst();
      return row ? toStored(row) : undefined;
    },
    async findByIdempotencyKey(key: string): Promise<(StoredEvidence & { statementSha256: string }) | undefined> {
      const row = await selectWithDelivery(db).where('evidence.idempotency_key', '=', key).executeTakeFirst();
      return row ? toStored(row) : undefined;
    },
    async findEnvelope(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('evidence').select('envelope').where('id', '=', id).executeTakeFirst();
      return row?.envelope;
    },
    transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => db.transaction().execute(work),
  };
}

export type EvidenceRepository = ReturnType<typeof createEvidenceRepository>;
