// `pnpm migrate`: applies every service's migrations to its database (creating the databases when missing).
import { createDatabase, databaseUrlFor, ensureDatabaseExists, migrateToLatest, type ServiceName } from '@cabc/database';
import { MissingInfrastructureError, resolvePostgres } from './lib/infrastructure.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
const services: [ServiceName, string, string][] = [
  ['evidence-collector', 'COLLECTOR_DATABASE_URL', 'cabc_evidence_collector'],
  ['assessment', 'ASSESSMENT_DATABASE_URL', 'cabc_assessment'],
  ['certification-body', 'CERTIFICATION_BODY_DATABASE_URL', 'cabc_certification_body'],
];

let postgres;
try {
  postgres = await resolvePostgres(log);
} catch (error) {
  if (error instanceof MissingInfrastructureError) {
    log(error.message);
    process.exit(2);
  }
  throw error;
}
try {
  for (const [service, variable, name] of services) {
    const url = process.env[variable] ?? databaseUrlFor(postgres.url, name);
    await ensureDatabaseExists(url);
    const db = createDatabase<any>(url, { max: 1 });
    try {
      const applied = await migrateToLatest(db, service);
      log(`${service}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
    } finally {
      await db.destroy();
    }
  }
} finally {
  await postgres.stop();
}
