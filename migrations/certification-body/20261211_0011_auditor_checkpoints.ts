import { sql, type Kysely } from 'kysely';

// The auditor's ledger checkpoints the certification body verified (docs/verification.md, "Checkpoints"): each came
// with a posture callback and was checked against the auditor's note key and, by a consistency proof, against its
// neighbours by size. Alerts record what failed (a checkpoint that does not verify, or history rewritten).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table auditor_checkpoints (
      id bigserial primary key,
      origin text not null,
      size bigint not null,
      root_hash bytea not null check (length(root_hash) = 32),
      note text not null,
      callback_jti text,
      consistency jsonb not null default '[]'::jsonb,
      received_at timestamptz not null default now(),
      unique (size, root_hash)
    )`.execute(db);
  await sql`create index auditor_checkpoints_size on auditor_checkpoints (size)`.execute(db);
  await sql`
    create table ledger_alerts (
      id bigserial primary key,
      kind text not null,
      detail text not null,
      checkpoint_size bigint,
      notes text not null,
      callback_jti text,
      toe text,
      at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table ledger_alerts`.execute(db);
  await sql`drop table auditor_checkpoints`.execute(db);
}
