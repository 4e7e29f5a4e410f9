import { sql, type Kysely } from 'kysely';

// Outbox dead letters (issue 14): a message whose retry schedule ran out is settled as `dead_letter`, so the later
// messages of its ordering key go on, and waits there, visible, until an operator redelivers it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table outbox drop constraint outbox_status_check`.execute(db);
  await sql`alter table outbox add constraint outbox_status_check
    check (status in ('pending', 'delivered', 'rejected', 'dead_letter'))`.execute(db);
  await db.schema.alterTable('outbox').addColumn('dead_lettered_at', 'timestamptz').execute();
  await sql`create index outbox_undelivered on outbox (id) where status in ('rejected', 'dead_letter')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index outbox_undelivered`.execute(db);
  await sql`update outbox set status = 'rejected' where status = 'dead_letter'`.execute(db);
  await db.schema.alterTable('outbox').dropColumn('dead_lettered_at').execute();
  await sql`alter table outbox drop constraint outbox_status_check`.execute(db);
  await sql`alter table outbox add constraint outbox_status_check
    check (status in ('pending', 'delivered', 'rejected'))`.execute(db);
}
