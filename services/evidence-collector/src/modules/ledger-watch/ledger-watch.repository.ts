import { sql, type Kysely } from 'kysely';

export type ReceiptStatus = 'pending' | 'included' | 'failed' | 'unlogged';

export interface WatchedReceipt {
  evidenceId: string;
  org: string;
  toe: string;
  assessmentEvidenceId: string | null;
  envelopeSha256: string;
  sequence: number | null;
  receivedAt: Date | null;
  logIndex: number | null;
  leafHash: Buffer | null;
  receipt: string | null;
  status: ReceiptStatus;
  verifiedSize: number | null;
  failure: string | null;
}

export interface Delivery {
  evidenceId: string;
  org: string;
  toe: string;
  /** The collector's own digest of the envelope it delivered. */
  envelopeSha256: string;
  /** The assessment service's answer, as stored on the outbox row. */
  responseBody: string;
}

export interface WatchCheckpoint {
  id: number;
  origin: string;
  size: number;
  rootHash: Buffer;
  note: string;
  seenAt: Date;
}

export type FailureKind =
  | 'receipt_mismatch'
  | 'bad_receipt_signature'
  | 'bad_checkpoint'
  | 'log_shrank'
  | 'fork'
  | 'inconsistent'
  | 'proof_refused'
  | 'not_included'
  | 'stored_entry_differs';

export interface NewFailure {
  kind: FailureKind;
  detail: string;
  org?: string | null;
  evidenceId?: string | null;
  assessmentEvidenceId?: string | null;
  logIndex?: number | null;
  checkpointSize?: number | null;
  checkpointNotes?: string | null;
}

export interface WatchFailure extends Required<NewFailure> {
  id: number;
  observedAt: Date;
}

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

const toReceipt = (row: any): WatchedReceipt => ({
  evidenceId: row.evidence_id,
  org: row.org,
  toe: row.toe,
  assessmentEvidenceId: row.assessment_evidence_id,
  envelopeSha256: row.envelope_sha256,
  sequence: num(row.sequence),
  receivedAt: row.received_at,
  logIndex: num(row.log_index),
  leafHash: row.leaf_hash,
  receipt: row.receipt,
  status: row.status,
  verifiedSize: num(row.verified_size),
  failure: row.failure,
});

const toCheckpoint = (row: any): WatchCheckpoint => ({
  id: Number(row.id),
  origin: row.origin,
  size: Number(row.size),
  rootHash: row.root_hash,
  note: row.note,
  seenAt: row.seen_at,
});

const toFailure = (row: any): WatchFailure => ({
  id: Number(row.id),
  kind: row.kind,
  detail: row.detail,
  org: row.org,
  evidenceId: row.evidence_id,
  assessmentEvidenceId: row.assessment_evidence_id,
  logIndex: num(row.log_index),
  checkpointSize: num(row.checkpoint_size),
  checkpointNotes: row.checkpoint_notes,
  observedAt: row.observed_at,
});

/** The watcher's tables in the collector database (migration 20261128_0003_receipts). */
export function createLedgerWatchRepository(db: Kysely<any>) {
  return {
    /** Delivered evidence whose receipt is not yet among the watched ones, oldest delivery first. */
    async unwatchedDeliveries(limit: number): Promise<Delivery[]> {
      const { rows } = await sql<{
        id: string;
        org: string;
        toe: string;
        envelope_sha256: string;
        response_body: string;
      }>`
        select e.id, e.org, e.toe, e.envelope_sha256, o.response_body
        from evidence e join outbox o on o.id = e.outbox_id
        where o.status = 'delivered' and o.response_body is not null
          and not exists (select 1 from ledger_receipts r where r.evidence_id = e.id)
        order by o.id
        limit ${limit}`.execute(db);
      return rows.map((row) => ({
        evidenceId: row.id,
        org: row.org,
        toe: row.toe,
        envelopeSha256: row.envelope_sha256,
        responseBody: row.response_body,
      }));
    },

    async addReceipt(receipt: Omit<WatchedReceipt, 'verifiedSize'>): Promise<void> {
      await sql`
        insert into ledger_receipts (evidence_id, org, toe, assessment_evidence_id, envelope_sha256, sequence, received_at,
                                     log_index, leaf_hash, receipt, status, failure)
        values (${receipt.evidenceId}, ${receipt.org}, ${receipt.toe}, ${receipt.assessmentEvidenceId}, ${receipt.envelopeSha256},
                ${receipt.sequence}, ${receipt.receivedAt}, ${receipt.logIndex}, ${receipt.leafHash}, ${receipt.receipt},
                ${receipt.status}, ${receipt.failure})
        on conflict (evidence_id) do nothing`.execute(db);
    },

    async receipt(evidenceId: string): Promise<WatchedReceipt | undefined> {
      const { rows } = await sql`select * from ledger_receipts where evidence_id = ${evidenceId}`.execute(db);
      return rows[0] ? toReceipt(rows[0]) : undefined;
    },

    /** Receipts to (re)check under a checkpoint of `size`: never verified first, then the longest unchecked. */
    async receiptsToCheck(size: number, limit: number): Promise<WatchedReceipt[]> {
      const { rows } = await sql`
        select * from ledger_receipts
        where status in ('pending', 'included') and log_index < ${size}
        order by (verified_size is null) desc, last_checked_at asc nulls first, log_index
        limit ${limit}`.execute(db);
      return rows.map(toReceipt);
    },

    async markChecked(evidenceId: string, size: number): Promise<void> {
      await sql`
        update ledger_receipts set status = 'included', verified_size = greatest(coalesce(verified_size, 0), ${size}), last_checked_at = now()
        where evidence_id = ${evidenceId} and status <> 'failed'`.execute(db);
    },

    async markFailed(evidenceId: string, failure: string): Promise<void> {
      await sql`update ledger_receipts set status = 'failed', failure = ${failure}, last_checked_at = now() where evidence_id = ${evidenceId}`.execute(
        db,
      );
    },

    async state(): Promise<{
      verifierKey: string | null;
      pinnedBy: 'config' | 'first_use' | 'announced' | null;
      pinnedAt: Date | null;
      lastRunAt: Date | null;
      lastError: string | null;
    }> {
      const { rows } = await sql<any>`select * from ledger_watch_state where id`.execute(db);
      const row = rows[0] ?? {};
      return {
        verifierKey: row.verifier_key ?? null,
        pinnedBy: row.pinned_by ?? null,
        pinnedAt: row.pinned_at ?? null,
        lastRunAt: row.last_run_at ?? null,
        lastError: row.last_error ?? null,
      };
    },

    async pinKey(verifierKey: string, pinnedBy: 'config' | 'first_use' | 'announced'): Promise<void> {
      await sql`update ledger_watch_state set verifier_key = ${verifierKey}, pinned_by = ${pinnedBy}, pinned_at = now() where id`.execute(
        db,
      );
    },

    async recordRun(error: string | null): Promise<void> {
      await sql`update ledger_watch_state set last_run_at = now(), last_error = ${error} where id`.execute(db);
    },

    async latestCheckpoint(): Promise<WatchCheckpoint | undefined> {
      const { rows } = await sql`select * from ledger_watch_checkpoints order by size desc, id desc limit 1`.execute(
        db,
      );
      return rows[0] ? toCheckpoint(rows[0]) : undefined;
    },

    async addCheckpoint(checkpoint: { origin: string; size: number; rootHash: Buffer; note: string }): Promise<void> {
      await sql`
        insert into ledger_watch_checkpoints (origin, size, root_hash, note)
        values (${checkpoint.origin}, ${checkpoint.size}, ${checkpoint.rootHash}, ${checkpoint.note})`.execute(db);
    },

    /** Records a failure unless the same one (kind and entry, or kind and checkpoint size) is already recorded. */
    async recordFailure(failure: NewFailure): Promise<boolean> {
      const { rows } = await sql`
        insert into ledger_watch_failures (kind, org, evidence_id, assessment_evidence_id, log_index, checkpoint_size, detail, checkpoint_notes)
        select ${failure.kind}, ${failure.org ?? null}, ${failure.evidenceId ?? null}, ${failure.assessmentEvidenceId ?? null},
               ${failure.logIndex ?? null}, ${failure.checkpointSize ?? null}, ${failure.detail}, ${failure.checkpointNotes ?? null}
        where not exists (
          select 1 from ledger_watch_failures f
          where f.kind = ${failure.kind} and ${
            failure.evidenceId
              ? sql`f.evidence_id = ${failure.evidenceId}`
              : sql`f.evidence_id is null and f.checkpoint_size is not distinct from ${failure.checkpointSize ?? null}::bigint`
          }
        )
        returning id`.execute(db);
      return rows.length > 0;
    },

    /** Failures visible to `org` (its entries, and those about the log as a whole), newest first. */
    async failures(org: string | undefined, limit: number): Promise<WatchFailure[]> {
      const { rows } = org
        ? await sql`select * from ledger_watch_failures where org is null or org = ${org} order by id desc limit ${limit}`.execute(
            db,
          )
        : await sql`select * from ledger_watch_failures order by id desc limit ${limit}`.execute(db);
      return rows.map(toFailure);
    },

    async receiptCounts(org: string | undefined): Promise<Record<ReceiptStatus, number>> {
      const { rows } = org
        ? await sql<{
            status: ReceiptStatus;
            count: number;
          }>`select status, count(*)::int as count from ledger_receipts where org = ${org} group by status`.execute(db)
        : await sql<{
            status: ReceiptStatus;
            count: number;
          }>`select status, count(*)::int as count from ledger_receipts group by status`.execute(db);
      const counts: Record<ReceiptStatus, number> = { pending: 0, included: 0, failed: 0, unlogged: 0 };
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    },
  };
}

export type LedgerWatchRepository = ReturnType<typeof createLedgerWatchRepository>;
