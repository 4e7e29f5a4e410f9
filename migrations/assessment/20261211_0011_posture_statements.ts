import { sql, type Kysely } from 'kysely';

// The posture heartbeat (docs/verification.md, "Callbacks"): when the posture was last stated to the certification
// body (a change or a re-statement), and whether a critical requirement failed, so a re-statement says it again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table postures add column critical_failed boolean not null default false`.execute(db);
  await sql`alter table postures add column stated_at timestamptz default now()`.execute(db);
  await sql`update postures set stated_at = updated_at`.execute(db);
  await sql`alter table postures alter column stated_at set not null`.execute(db);
  await sql`create index postures_stated_at on postures (stated_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index postures_stated_at`.execute(db);
  await sql`alter table postures drop column stated_at`.execute(db);
  await sql`alter table postures drop column critical_failed`.execute(db);
}
