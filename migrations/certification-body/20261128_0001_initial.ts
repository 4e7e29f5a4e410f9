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

  // Every callback that reached us, accepted or refused: replay protection by jti and an audit record.
  await db.schema
    .createTable('received_callbacks')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('jti', 'text', (col) => col.unique())
    .addColumn('toe', 'text')
    .addColumn('sequence', 'integer')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('detail', 'text', (col) => col.notNull())
    .addColumn('token', 'text', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // One certification per ToE at a time: the decision state (policy, approval, applied posture, certificate snapshot)
  // that the lifecycle policy folds every callback and clock tick into.
  await db.schema
    .createTable('certifications')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('decision_state', 'jsonb', (col) => col.notNull())
    .addColumn('certificate_id', 'uuid')
    .addColumn('next_deadline', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('opened_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index certifications_one_open on certifications (toe) where closed_at is null`.execute(db);
  await sql`create index certifications_deadline on certifications (next_deadline) where next_deadline is not null`.execute(
    db,
  );

  await db.schema
    .createTable('certificates')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('certification_id', 'uuid', (col) => col.notNull().references('certifications.id'))
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col.notNull().check(sql`state in ('issued', 'suspended', 'revoked', 'expired', 'withdrawn')`),
    )
    .addColumn('token', 'text', (col) => col.notNull())
    .addColumn('issued_at', 'timestamptz', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('reason_code', 'integer', (col) => col.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('certificates_toe').on('certificates').columns(['toe', 'issued_at']).execute();

  // History is never overwritten: the database refuses UPDATE and DELETE.
  await db.schema
    .createTable('certificate_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('certificate_id', 'uuid', (col) => col.notNull().references('certificates.id'))
    .addColumn('from_state', 'text', (col) => col.notNull())
    .addColumn('to_state', 'text', (col) => col.notNull())
    .addColumn('reason_code', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('cause', 'jsonb', (col) => col.notNull())
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('certificate_events_certificate')
    .on('certificate_events')
    .columns(['certificate_id', 'id'])
    .execute();
  await sql`
    create function refuse_history_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger certificate_events_append_only before update or delete on certificate_events
            for each row execute function refuse_history_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['certificate_events', 'certificates', 'certifications', 'received_callbacks', 'signing_keys']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function refuse_history_change`.execute(db);
}
