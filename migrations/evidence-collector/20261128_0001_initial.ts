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

  await db.schema
    .createTable('evidence')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('envelope', 'text', (col) => col.notNull())
    .addColumn('envelope_sha256', 'text', (col) => col.notNull())
    .addColumn('statement_sha256', 'text', (col) => col.notNull())
    .addColumn('outbox_id', 'bigint', (col) => col.notNull().references('outbox.id'))
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index evidence_idempotency on evidence (idempotency_key) where idempotency_key is not null`.execute(db);
  await db.schema.createIndex('evidence_toe').on('evidence').columns(['toe', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence').execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('signing_keys').execute();
}
