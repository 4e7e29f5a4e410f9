import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (col) => col.primaryKey())
    .addColumn('public_jwk', 'jsonb', (col) => col.notNull())
    .addColumn('sealed_private_key', 'text', (col) => col.notNull())
    // 'next': generated and published in the JWKS ahead of a rotation, so the auditor can approve it first.
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'retired', 'next')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await sql`create unique index signing_keys_one_active on signing_keys (status) where status = 'active'`.execute(db);
  await sql`create unique index signing_keys_one_next on signing_keys (status) where status = 'next'`.execute(db);

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

  // Untouched tool outputs, content-addressed: the same bytes uploaded twice are stored once.
  await db.schema
    .createTable('raw_artifacts')
    .addColumn('sha256', 'text', (col) => col.primaryKey().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('media_type', 'text', (col) => col.notNull())
    .addColumn('size_bytes', 'integer', (col) => col.notNull())
    .addColumn('content', 'bytea', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // One accepted request (a unified document, a native file, a multipart upload or one pulled MLflow run), with the
  // Idempotency-Key that names it: the key answers with the whole request's result.
  await db.schema
    .createTable('submissions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('submitted_by', 'text', (col) => col.notNull())
    .addColumn('submitter_role', 'text', (col) => col.notNull())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull().check(sql`mode in ('unified', 'native', 'multipart', 'pull')`))
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index submissions_idempotency on submissions (org, idempotency_key) where idempotency_key is not null`.execute(
    db,
  );

  await db.schema
    .createTable('evidence')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    // Insertion order, for keyset pagination.
    .addColumn('seq', 'bigserial', (col) => col.notNull().unique())
    .addColumn('submission_id', 'uuid', (col) => col.notNull().references('submissions.id'))
    .addColumn('item_index', 'integer', (col) => col.notNull())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('format', 'text')
    .addColumn('file_name', 'text')
    .addColumn('raw_sha256', 'text', (col) => col.references('raw_artifacts.sha256'))
    .addColumn('envelope', 'text', (col) => col.notNull())
    .addColumn('envelope_sha256', 'text', (col) => col.notNull())
    .addColumn('statement_sha256', 'text', (col) => col.notNull())
    .addColumn('outbox_id', 'bigint', (col) => col.notNull().references('outbox.id'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index evidence_submission_item on evidence (submission_id, item_index)`.execute(db);
  await sql`create index evidence_org_seq on evidence (org, seq)`.execute(db);
  await sql`create index evidence_org_toe_seq on evidence (org, toe, seq)`.execute(db);
  await sql`create index evidence_org_raw on evidence (org, raw_sha256) where raw_sha256 is not null`.execute(db);

  // Pull collection from MLflow: how far each experiment has been read, and which runs became evidence.
  await db.schema
    .createTable('mlflow_watermarks')
    .addColumn('tracking_uri', 'text', (col) => col.notNull())
    .addColumn('experiment_id', 'text', (col) => col.notNull())
    .addColumn('start_time_ms', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('mlflow_watermarks_pk', ['tracking_uri', 'experiment_id'])
    .execute();
  await db.schema
    .createTable('mlflow_collected_runs')
    .addColumn('tracking_uri', 'text', (col) => col.notNull())
    .addColumn('run_id', 'text', (col) => col.notNull())
    .addColumn('experiment_id', 'text', (col) => col.notNull())
    .addColumn('start_time_ms', 'bigint', (col) => col.notNull())
    .addColumn('submission_id', 'uuid', (col) => col.references('submissions.id'))
    // 'collected' (evidence made) or 'skipped' (e.g. no subject digest): either way it is not read again.
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('collected', 'skipped')`))
    .addColumn('detail', 'text')
    .addColumn('collected_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('mlflow_collected_runs_pk', ['tracking_uri', 'run_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mlflow_collected_runs').execute();
  await db.schema.dropTable('mlflow_watermarks').execute();
  await db.schema.dropTable('evidence').execute();
  await db.schema.dropTable('submissions').execute();
  await db.schema.dropTable('raw_artifacts').execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('signing_keys').execute();
}
