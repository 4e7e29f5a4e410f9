// Runs a command (the test suite) with DATABASE_URL and REDIS_URL pointing at a reachable Postgres and Redis,
// starting an embedded Postgres for the duration when none is configured or local.
import { spawn } from 'node:child_process';
import { MissingInfrastructureError, resolvePostgres, resolveRedis } from './lib/infrastructure.ts';

const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
const [command, ...args] = process.argv.slice(2);
if (!command) {
  log('usage: node scripts/with-infrastructure.ts <command> [args...]');
  process.exit(2);
}

let postgres: Awaited<ReturnType<typeof resolvePostgres>>;
let redisUrl: string;
try {
  redisUrl = await resolveRedis();
  postgres = await resolvePostgres(log);
} catch (error) {
  if (error instanceof MissingInfrastructureError) {
    log(error.message);
    process.exit(2);
  }
  throw error;
}

const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: postgres.url, REDIS_URL: redisUrl },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
await postgres.stop();
process.exit(code);
