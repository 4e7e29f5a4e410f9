import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (col) => col.primaryKey())
    .addColumn('public_jwk', 'jsonb', (col) => col.notNull())
    .addColumn('sealed_private_key', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'retired')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await sql`create unique index signing_keys_one_active on signing_keys (status) where status = 'active'`.execute(db);

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('ordering_key', 'text', (col) => col.notNull())
    .addColumn('destination', 'text', (col) => col.notNull())
    .addColumn('content_type', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('pending', 'delivered', 'rejected')`))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await sql`create index outbox_pending on outbox (id) where status = 'pending'`.execute(db);
  await sql`create index outbox_pending_key on outbox (topic, ordering_key, id) where status = 'pending'`.execute(db);

  // The evidence ledger: the exact envelope bytes as received, append-only.
  await db.schema
    .createTable('evidence')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('sequence', 'bigserial', (col) => col.notNull().unique())
    .addColumn('envelope_sha256', 'text', (col) => col.notNull().unique())
    .addColumn('statement_sha256', 'text', (col) => col.notNull().unique())
    .addColumn('envelope', 'text', (col) => col.notNull())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('keyid', 'text', (col) => col.notNull())
    .addColumn('subjects', 'jsonb', (col) => col.notNull())
    .addColumn('predicate', 'jsonb', (col) => col.notNull())
    .addColumn('observed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('receipt', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('evidence_toe_kind').on('evidence').columns(['toe', 'kind', 'observed_at']).execute();
  await sql`
    create function refuse_evidence_change() returns trigger language plpgsql as $$
    begin
      raise exception 'evidence is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger evidence_append_only before update or delete on evidence
            for each row execute function refuse_evidence_change()`.execute(db);

  // Evaluation owed for accepted evidence: written with the evidence, deleted with the result it produced, so an
  // evaluation job lost with Redis is found again by the reconciler.
  await db.schema
    .createTable('pending_evaluations')
    .addColumn('evidence_id', 'uuid', (col) => col.primaryKey().references('evidence.id'))
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('requirement_results')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('requirement_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('compliant', 'non_compliant', 'pending', 'error')`),
    )
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('details', 'jsonb', (col) => col.notNull())
    .addColumn('evidence_ids', 'jsonb', (col) => col.notNull())
    .addColumn('evaluated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('requirement_results_latest')
    .on('requirement_results')
    .columns(['toe', 'requirement_id', 'id'])
    .execute();

  await db.schema
    .createTable('postures')
    .addColumn('toe', 'text', (col) => col.primaryKey())
    .addColumn('posture', 'text', (col) => col.notNull())
    .addColumn('sequence', 'integer', (col) => col.notNull())
    .addColumn('assessment_id', 'uuid', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'postures',
    'requirement_results',
    'pending_evaluations',
    'evidence',
    'outbox',
    'signing_keys',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function refuse_evidence_change`.execute(db);
}
