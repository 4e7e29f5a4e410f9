// The README's run command: the three services and their workers, migrations applied, the dashboard, URLs printed.
// By default each service's API and its workers run as processes of their own under a supervisor (this process),
// so the platform's JavaScript uses every core; --single-process runs everything in this process.
import path from 'node:path';
import { startDashboard } from '@cabc/dashboard';
import { makeLocalCertificates } from '@cabc/local-servers';
import { defaultDataDir } from './lib/infrastructure.ts';
import { LocalDataLockedError, MissingInfrastructureError, startLocalPlatform } from './lib/local-platform.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(
    [
      'usage: ./scripts/run-platform.sh [--reset-local-data] [--tls] [--single-process]',
      "  --reset-local-data   drop this checkout's local databases, queue keys and .data/postgres, .data/redis, then start afresh",
      '  --tls                mutual TLS between the services, with a local CA and certificates made in .data/tls',
      '  --single-process     run the services and their workers in this one process (default: a process each, supervised)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const known = ['--reset-local-data', '--tls', '--single-process'];
const unknown = args.filter((arg) => !known.includes(arg));
if (unknown.length > 0) {
  log(`unknown argument ${unknown[0]} (see --help)`);
  process.exit(2);
}

let running: Awaited<ReturnType<typeof startLocalPlatform>>;
try {
  const tls = args.includes('--tls') ? await makeLocalCertificates(path.join(defaultDataDir, 'tls')) : undefined;
  if (tls) log(`--tls: services serve HTTPS with certificates of the local CA ${tls.caFile}`);
  running = await startLocalPlatform({
    dataDir: defaultDataDir,
    log,
    reset: args.includes('--reset-local-data'),
    ...(args.includes('--single-process') ? {} : { processes: { output: process.stdout } }),
    ...(tls ? { tls } : {}),
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
  '\nBearer tokens, one per service: ./scripts/cabc token --role auditee --org acme [--service collector|assessment|certification-body|all]   (roles: auditee, pipeline, auditor, certification_body, admin)\n',
);
if (args.includes('--tls')) {
  const tlsDir = path.relative(process.cwd(), path.join(defaultDataDir, 'tls'));
  process.stdout.write(
    `\nTLS: trust ${tlsDir}/ca.crt (curl --cacert, or NODE_EXTRA_CA_CERTS for the CLI); the machine routes ` +
      `(POST /v1/evidence at the assessment, /v1/callbacks/* at the certification body) also need a client ` +
      `certificate: --cert ${tlsDir}/platform.crt --key ${tlsDir}/platform.key\n`,
  );
}
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
