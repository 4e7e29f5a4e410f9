// Runs a command (the test suite) with DATABASE_URL and REDIS_URL pointing at a reachable Postgres and Redis,
// found or started for the duration (see @cabc/local-servers for the order), and stops what it started.
import { spawn } from 'node:child_process';
import { MissingInfrastructureError, provideInfrastructure } from './lib/infrastructure.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
const [command, ...args] = process.argv.slice(2);
if (!command) {
  log('usage: node scripts/with-infrastructure.ts <command> [args...]');
  process.exit(2);
}

let infrastructure: Awaited<ReturnType<typeof provideInfrastructure>>;
try {
  infrastructure = await provideInfrastructure(log);
} catch (error) {
  if (!(error instanceof MissingInfrastructureError)) throw error;
  log(error.message);
  process.exit(2);
}
log(`Postgres: ${infrastructure.postgres.source}; Redis: ${infrastructure.redis.source}`);

const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: infrastructure.postgres.url, REDIS_URL: infrastructure.redis.url },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) =>
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
);
await infrastructure.stop();
process.exit(code);
