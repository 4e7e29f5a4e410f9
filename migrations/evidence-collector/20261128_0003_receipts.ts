import { sql, type Kysely } from 'kysely';

// The collector's ledger watcher (docs/ledger.md, "The collector's watcher"): the auditor's receipts, the checkpoints
// it saw, and every failure it found.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per delivered evidence whose answer came back; the leaf hash is computed from the collector's own facts
  // (its envelope digest and ToE) plus the receipt's sequence, receivedAt and log index. An answer without a receipt
  // or without a log index is kept as 'unlogged' (nothing to watch).
  await db.schema
    .createTable('ledger_receipts')
    .addColumn('evidence_id', 'uuid', (col) => col.primaryKey())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('assessment_evidence_id', 'uuid')
    .addColumn('envelope_sha256', 'text', (col) => col.notNull())
    .addColumn('sequence', 'bigint')
    .addColumn('received_at', 'timestamptz')
    .addColumn('log_index', 'bigint')
    .addColumn('leaf_hash', 'bytea')
    .addColumn('receipt', 'text')
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'included', 'failed', 'unlogged')`),
    )
    .addColumn('verified_size', 'bigint')
    .addColumn('last_checked_at', 'timestamptz')
    .addColumn('failure', 'text')
    .addColumn('stored_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('ledger_receipts_check_order')
    .on('ledger_receipts')
    .columns(['status', 'last_checked_at'])
    .execute();
  await db.schema.createIndex('ledger_receipts_log_index').on('ledger_receipts').column('log_index').execute();

  // Every checkpoint that verified (signature, and consistency with the one before), in the order seen.
  await db.schema
    .createTable('ledger_watch_checkpoints')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('root_hash', 'bytea', (col) => col.notNull())
    .addColumn('note', 'text', (col) => col.notNull())
    .addColumn('seen_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // The pinned note verifier key and the last run's outcome: one row.
  await db.schema
    .createTable('ledger_watch_state')
    .addColumn('id', 'boolean', (col) => col.primaryKey().defaultTo(true).check(sql`id`))
    .addColumn('verifier_key', 'text')
    .addColumn('pinned_by', 'text', (col) => col.check(sql`pinned_by in ('config', 'first_use')`))
    .addColumn('pinned_at', 'timestamptz')
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  await sql`insert into ledger_watch_state (id) values (true)`.execute(db);

  // What the watcher found wrong: kept for the operator (and as evidence against the auditor).
  await db.schema
    .createTable('ledger_watch_failures')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('org', 'text')
    .addColumn('evidence_id', 'uuid')
    .addColumn('assessment_evidence_id', 'uuid')
    .addColumn('log_index', 'bigint')
    .addColumn('checkpoint_size', 'bigint')
    .addColumn('detail', 'text', (col) => col.notNull())
    // The signed checkpoint(s) involved, e.g. both notes of an inconsistent pair: together they prove the fault.
    .addColumn('checkpoint_notes', 'text')
    .addColumn('observed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['ledger_watch_failures', 'ledger_watch_state', 'ledger_watch_checkpoints', 'ledger_receipts']) {
    await db.schema.dropTable(table).execute();
  }
}
