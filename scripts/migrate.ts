// `pnpm migrate`: applies every service's migrations to this checkout's databases (creating them when missing), on
// the Postgres the run command would use (DATABASE_URL, 127.0.0.1:5432 or the embedded one).
import {
  createDatabase,
  databaseUrlFor,
  ensureDatabaseExists,
  migrateToLatest,
  type ServiceName,
} from '@cabc/service-kit';
import { providePostgres } from '@cabc/local-servers';
import { defaultDataDir, localState, MissingInfrastructureError } from './lib/infrastructure.ts';
import { localNames } from './lib/local-data.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
const state = localState();
const { databasePrefix } = localNames(state);
const services: [ServiceName, string, string][] = [
  ['evidence-collector', 'COLLECTOR_DATABASE_URL', `${databasePrefix}_evidence_collector`],
  ['assessment', 'ASSESSMENT_DATABASE_URL', `${databasePrefix}_assessment`],
  ['certification-body', 'CERTIFICATION_BODY_DATABASE_URL', `${databasePrefix}_certification_body`],
];

let postgres;
try {
  postgres = await providePostgres({ dataDir: defaultDataDir, log, embeddedPassword: state.embeddedPostgresPassword });
} catch (error) {
  if (!(error instanceof MissingInfrastructureError)) throw error;
  log(error.message);
  process.exit(2);
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
