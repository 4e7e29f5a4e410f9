import { sql, type Kysely } from 'kysely';

// Third-party in-toto attestations relayed as provenance evidence (docs/evidence.md#third-party-attestations): what
// the assessment verified at ingest (producer whose key signed, statement subjects, predicate type and predicate).
// Rules read attestation facts only from here. A nullable column: existing (append-only) evidence relays none.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table evidence add column attestations jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table evidence drop column attestations`.execute(db);
}
