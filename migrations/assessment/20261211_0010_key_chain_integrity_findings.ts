import { sql, type Kysely } from 'kysely';

// Signing keys that rotate (docs/keys.md): each key after the first carries the announcement the previous key signed,
// and a "next" key is published ahead of a rotation. Existing rows are announced by the service on its next start.
//
// Integrity findings (docs/keys.md, "Assess only what verifies"): an evidence row read for evaluation whose envelope,
// ledger leaf or signature does not verify. Open while resolved_at is null; the ToE's posture is `error` meanwhile.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table signing_keys add column announcement text`.execute(db);
  await sql`alter table signing_keys drop constraint signing_keys_status_check`.execute(db);
  await sql`alter table signing_keys add constraint signing_keys_status_check check (status in ('active', 'retired', 'next'))`.execute(
    db,
  );
  await sql`create unique index signing_keys_one_next on signing_keys (status) where status = 'next'`.execute(db);

  await db.schema
    .createTable('integrity_findings')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('toe_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('ledger_mismatch')`))
    // Not a foreign key: the row it is about may be one written behind the service's back, and may be removed.
    .addColumn('evidence_id', 'uuid', (col) => col.notNull())
    .addColumn('detail', 'text', (col) => col.notNull())
    .addColumn('observed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .execute();
  await sql`create unique index integrity_findings_open on integrity_findings (toe_id, evidence_id) where resolved_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('integrity_findings').execute();
  await sql`drop index signing_keys_one_next`.execute(db);
  await sql`delete from signing_keys where status = 'next'`.execute(db);
  await sql`alter table signing_keys drop constraint signing_keys_status_check`.execute(db);
  await sql`alter table signing_keys add constraint signing_keys_status_check check (status in ('active', 'retired'))`.execute(
    db,
  );
  await sql`alter table signing_keys drop column announcement`.execute(db);
}
