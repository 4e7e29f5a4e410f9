// The README's run command: the three services and their workers, migrations applied, the dashboard, URLs printed.
// By default each service's API and its workers run as processes of their own under a supervisor (this process),
// so the platform's JavaScript uses every core; --single-process runs everything in this process.
import { startDashboard } from '@cabc/dashboard';
import { defaultDataDir } from './lib/infrastructure.ts';
import { LocalDataLockedError, MissingInfrastructureError, startLocalPlatform } from './lib/local-platform.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(
    [
      'usage: ./scripts/run-platform.sh [--reset-local-data] [--single-process]',
      "  --reset-local-data   drop this checkout's local databases, queue keys and .data/postgres, .data/redis, then start afresh",
      '  --single-process     run the services and their workers in this one process (default: a process each, supervised)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const unknown = args.filter((arg) => arg !== '--reset-local-data' && arg !== '--single-process');
if (unknown.length > 0) {
  log(`unknown argument ${unknown[0]} (see --help)`);
  process.exit(2);
}

let running: Awaited<ReturnType<typeof startLocalPlatform>>;
try {
  running = await startLocalPlatform({
    dataDir: defaultDataDir,
    log,
    reset: args.includes('--reset-local-data'),
    ...(args.includes('--single-process') ? {} : { processes: { output: process.stdout } }),
  });
} catch (error) {
  if (!(error instanceof MissingInfrastructureError || error instanceof LocalDataLockedError)) throw error;
  log(error.message);
  process.exit(2);
}
const { platform } = running;
const envPort = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
// The dashboard (apps/dashboard): built with Vite when missing or stale, served with the services behind /api.
const dashboard = await startDashboard({
  host: process.env.HOST ?? '127.0.0.1',
  port: envPort('DASHBOARD_PORT', 8080),
  assessmentUrl: platform.urls.assessment,
  certificationBodyUrl: platform.urls.certificationBody,
  collectorUrl: platform.urls.collector,
  log,
});
const rows: [string, string][] = [
  ['evidence collector', platform.urls.collector],
  ['assessment', platform.urls.assessment],
  ['certification body', platform.urls.certificationBody],
];
process.stdout.write('\nCABC is running:\n');
process.stdout.write(`  ${'dashboard'.padEnd(20)} ${dashboard.url}   sign in with a token (below)\n`);
for (const [name, url] of rows) process.stdout.write(`  ${name.padEnd(20)} ${url}   docs ${url}/docs\n`);
process.stdout.write(
  '\nBearer tokens for the APIs: ./scripts/cabc token --role auditee --org acme   (roles: auditee, pipeline, auditor, certification_body, admin)\n',
);
process.stdout.write('Ctrl-C stops it.\n\n');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  log(`${signal}: stopping`);
  await dashboard.close();
  await running.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
