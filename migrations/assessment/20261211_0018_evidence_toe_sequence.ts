import type { Kysely } from 'kysely';

// A ToE's evidence list is read newest first by ledger sequence (GET /v1/toes/{id}/evidence, keyset on sequence).
// Without this index Postgres walks the global sequence index backwards and skips every other ToE's evidence: fine
// at the top of a busy ToE, seconds for a page deep in its history at 10 million rows (docs/benchmarks.md, scale).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('evidence_toe_sequence').on('evidence').columns(['toe', 'sequence']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('evidence_toe_sequence').execute();
}
