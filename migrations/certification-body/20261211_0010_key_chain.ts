import { sql, type Kysely } from 'kysely';

// Signing keys that rotate (docs/keys.md): each key after the first carries the announcement the previous key signed,
// and a "next" key is published ahead of a rotation. Existing rows are announced by the service on its next start.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table signing_keys add column announcement text`.execute(db);
  await sql`alter table signing_keys drop constraint signing_keys_status_check`.execute(db);
  await sql`alter table signing_keys add constraint signing_keys_status_check check (status in ('active', 'retired', 'next'))`.execute(
    db,
  );
  await sql`create unique index signing_keys_one_next on signing_keys (status) where status = 'next'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index signing_keys_one_next`.execute(db);
  await sql`delete from signing_keys where status = 'next'`.execute(db);
  await sql`alter table signing_keys drop constraint signing_keys_status_check`.execute(db);
  await sql`alter table signing_keys add constraint signing_keys_status_check check (status in ('active', 'retired'))`.execute(
    db,
  );
  await sql`alter table signing_keys drop column announcement`.execute(db);
}
