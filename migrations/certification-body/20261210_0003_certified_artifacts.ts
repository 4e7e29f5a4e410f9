import { sql, type Kysely } from 'kysely';

// What a certificate is about (docs/certification.md#what-is-certified): the model and dataset digests the approved
// scope pinned, from the auditor's signed scope decision. Null for certifications opened before decisions carried them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table certifications add column artifacts jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table certifications drop column artifacts`.execute(db);
}
