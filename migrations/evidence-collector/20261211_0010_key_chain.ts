import { sql, type Kysely } from 'kysely';

// Signing keys that rotate (docs/keys.md): each key after the first carries the announcement the previous key signed.
// Existing rows are announced by the service on its next start. The ledger watcher may also pin the auditor's next
// note key because the auditor's previous key announced it ('announced').
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table signing_keys add column announcement text`.execute(db);
  await sql`alter table ledger_watch_state drop constraint ledger_watch_state_pinned_by_check`.execute(db);
  await sql`alter table ledger_watch_state add constraint ledger_watch_state_pinned_by_check check (pinned_by in ('config', 'first_use', 'announced'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table ledger_watch_state drop constraint ledger_watch_state_pinned_by_check`.execute(db);
  await sql`update ledger_watch_state set pinned_by = 'first_use' where pinned_by = 'announced'`.execute(db);
  await sql`alter table ledger_watch_state add constraint ledger_watch_state_pinned_by_check check (pinned_by in ('config', 'first_use'))`.execute(
    db,
  );
  await sql`alter table signing_keys drop column announcement`.execute(db);
}
