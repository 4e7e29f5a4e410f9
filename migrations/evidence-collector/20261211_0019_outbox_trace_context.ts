import type { Kysely } from 'kysely';

// Traces (issue 18): the W3C `traceparent` of the span that wrote an outbox row, so that its delivery, however late,
// continues the same trace. Null for rows written while tracing was off.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('trace_context', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('trace_context').execute();
}
