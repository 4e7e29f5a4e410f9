// The README's run command: the three services and their workers in one process, migrations applied.
import path from 'node:path';
import { loadOrCreateLocalIssuer } from '@cabc/auth';
import { startDashboard } from '@cabc/dashboard';
import { startPlatform, type ServiceKey } from '@cabc/platform';
import { dataDir, localState, MissingInfrastructureError, resolvePostgres, resolveRedis } from './lib/infrastructure.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);

const envPort = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

try {
  const redisUrl = await resolveRedis();
  const postgres = await resolvePostgres(log);
  const databaseUrls: Partial<Record<ServiceKey, string>> = {
    ...(process.env.COLLECTOR_DATABASE_URL ? { collector: process.env.COLLECTOR_DATABASE_URL } : {}),
    ...(process.env.ASSESSMENT_DATABASE_URL ? { assessment: process.env.ASSESSMENT_DATABASE_URL } : {}),
    ...(process.env.CERTIFICATION_BODY_DATABASE_URL ? { certificationBody: process.env.CERTIFICATION_BODY_DATABASE_URL } : {}),
  };
  const platform = await startPlatform({
    databaseUrl: postgres.url,
    databaseUrls,
    redisUrl,
    redisUrls: {
      ...(process.env.COLLECTOR_REDIS_URL ? { collector: process.env.COLLECTOR_REDIS_URL } : {}),
      ...(process.env.ASSESSMENT_REDIS_URL ? { assessment: process.env.ASSESSMENT_REDIS_URL } : {}),
      ...(process.env.CERTIFICATION_BODY_REDIS_URL ? { certificationBody: process.env.CERTIFICATION_BODY_REDIS_URL } : {}),
    },
    queuePrefix: process.env.QUEUE_PREFIX ?? 'cabc',
    keyEncryptionSecret: process.env.KEY_ENCRYPTION_SECRET ?? localState().keyEncryptionSecret,
    host: process.env.HOST ?? '127.0.0.1',
    ports: {
      collector: envPort('COLLECTOR_PORT', 8081),
      assessment: envPort('ASSESSMENT_PORT', 8082),
      certificationBody: envPort('CERTIFICATION_BODY_PORT', 8083),
    },
    logLevel: process.env.LOG_LEVEL ?? 'info',
    // `./scripts/cabc token --role … --org …` signs with the same key file.
    tokenIssuer: await loadOrCreateLocalIssuer(path.join(dataDir, 'local-issuer.json')),
    reconcileInterval: process.env.RECONCILE_INTERVAL ?? '5s',
  });
  const rows: [string, string][] = [
    ['evidence collector', platform.urls.collector],
    ['assessment', platform.urls.assessment],
    ['certification body', platform.urls.certificationBody],
  ];
  // The dashboard (apps/dashboard): built with Vite when missing or stale, served with the services behind /api.
  const dashboard = await startDashboard({ host: process.env.HOST ?? '127.0.0.1', port: envPort('DASHBOARD_PORT', 8080), assessmentUrl: platform.urls.assessment, certificationBodyUrl: platform.urls.certificationBody, collectorUrl: platform.urls.collector, log });
  process.stdout.write('\nCABC is running:\n');
  process.stdout.write(`  ${'dashboard'.padEnd(20)} ${dashboard.url}   sign in with a token (below)\n`);
  for (const [name, url] of rows) process.stdout.write(`  ${name.padEnd(20)} ${url}   docs ${url}/docs\n`);
  process.stdout.write('\nBearer tokens for the APIs: ./scripts/cabc token --role auditee --org acme   (roles: auditee, pipeline, auditor, certification_body, admin)\n');
  process.stdout.write('Ctrl-C stops it.\n\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: stopping`);
    await dashboard.close();
    await platform.close();
    await postgres.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof MissingInfrastructureError) {
    log(error.message);
    process.exit(2);
  }
  throw error;
}
