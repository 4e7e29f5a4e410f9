import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The auditor's own judgement of a requirement, overriding the automated result inside its validity window only.
  await db.schema
    .createTable('manual_findings')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('toe_id', 'text', (col) => col.notNull().references('toes.id'))
    .addColumn('requirement_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('compliant', 'non_compliant', 'error')`))
    .addColumn('justification', 'text', (col) => col.notNull())
    .addColumn('valid_from', 'timestamptz', (col) => col.notNull())
    .addColumn('valid_until', 'timestamptz', (col) => col.notNull())
    .addColumn('recorded_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('manual_findings_window', sql`valid_until > valid_from`)
    .execute();
  await db.schema
    .createIndex('manual_findings_toe')
    .on('manual_findings')
    .columns(['toe_id', 'requirement_id', 'valid_until'])
    .execute();

  // The scope version the posture was last reported under: a new approval must be reported even when the posture
  // value stays the same, or the certification of the new version would never receive it.
  await db.schema.alterTable('postures').addColumn('scope_version', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('postures').dropColumn('scope_version').execute();
  await db.schema.dropTable('manual_findings').execute();
}
