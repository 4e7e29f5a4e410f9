import { sql, type Kysely } from 'kysely';

// Observations of the stream anomaly and gaming detectors (@cabc/anomaly, docs/anomalies.md): findings for the
// auditor, never verdicts. One per (evidence, signal), so a retried evaluation or a replay cannot raise it twice.
// The detector state per ToE is derived data: a snapshot, replayed from the ledger past `snapshot_sequence`.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('observations')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('toe_id', 'text', (col) => col.notNull().references('toes.id'))
    .addColumn('evidence_id', 'uuid', (col) => col.notNull().references('evidence.id'))
    .addColumn('signal', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('score', 'double precision', (col) => col.notNull().check(sql`score >= 0 and score < 1`))
    .addColumn('evidence_ids', 'jsonb', (col) => col.notNull())
    .addColumn('explanation', 'text', (col) => col.notNull())
    .addColumn('details', 'jsonb', (col) => col.notNull())
    .addColumn('scope_version', 'integer', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .defaultTo('open')
        .check(sql`state in ('open', 'confirmed', 'dismissed')`),
    )
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_reason', 'text')
    .addColumn('finding_id', 'uuid', (col) => col.references('manual_findings.id'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('observations_evidence_signal', ['evidence_id', 'signal'])
    .addCheckConstraint(
      'observations_decision',
      sql`(state = 'open') = (decided_at is null) and (state <> 'confirmed' or finding_id is not null)`,
    )
    .execute();
  await db.schema.createIndex('observations_toe').on('observations').columns(['toe_id', 'created_at']).execute();

  await db.schema
    .createTable('anomaly_states')
    .addColumn('toe_id', 'text', (col) => col.primaryKey().references('toes.id'))
    .addColumn('state', 'jsonb', (col) => col.notNull())
    // The ledger sequence of the newest evidence folded into `state`.
    .addColumn('snapshot_sequence', 'bigint', (col) => col.notNull())
    // The newest evidence observed by any worker: a cached state behind it is stale.
    .addColumn('observed_sequence', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('anomaly_states').execute();
  await db.schema.dropTable('observations').execute();
}
