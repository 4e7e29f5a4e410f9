import path from 'node:path';
import { isPostgresReachable, isRedisReachable } from '@cabc/service-kit';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { hasRedisServerBinary, startRedisServer } from './redis-server.ts';

/** Nothing we could find or start: the message says what was tried and how to provide one. */
export class MissingInfrastructureError extends Error {}

export interface ProvidedServer {
  url: string;
  /** Where it came from, for the log: "REDIS_URL", "redis-server binary on port 41233", ... */
  source: string;
  /** Stops what we started (nothing when we only found it). */
  stop: () => Promise<void>;
}

export interface ProvideOptions {
  /** Folder for the data of servers we start (e.g. the checkout's .data/). */
  dataDir: string;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The default local servers looked for before starting one (tests point them elsewhere). */
  localRedisUrl?: string;
  localPostgresUrl?: string;
}

const found = (url: string, source: string): ProvidedServer => ({ url, source, stop: async () => {} });
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Redis, in this order: REDIS_URL; a Redis on 127.0.0.1:6379; a redis-server binary on the PATH (private port, data
 * in dataDir/redis); a container through testcontainers when a Docker engine answers; the redis-memory-server
 * package (builds Redis where a compiler and the internet are available).
 */
export async function provideRedis(options: ProvideOptions): Promise<ProvidedServer> {
  const env = options.env ?? process.env;
  if (env.REDIS_URL) {
    if (await isRedisReachable(env.REDIS_URL)) return found(env.REDIS_URL, 'REDIS_URL');
    throw new MissingInfrastructureError(
      `REDIS_URL is set but Redis does not answer at ${new URL(env.REDIS_URL).host}`,
    );
  }
  const local = options.localRedisUrl ?? 'redis://127.0.0.1:6379';
  const localHost = new URL(local).host;
  if (await isRedisReachable(local, 500)) return found(local, `the Redis on ${localHost}`);

  const tried: string[] = ['REDIS_URL (unset)', `a Redis on ${localHost} (none answers)`];
  const binary = env.REDIS_SERVER_BINARY ?? 'redis-server';
  if (hasRedisServerBinary(binary)) {
    try {
      const server = await startRedisServer({ dir: path.join(options.dataDir, 'redis'), binary });
      options.log(`no Redis configured or on ${localHost}: started redis-server on port ${server.port}`);
      return { url: server.url, source: `redis-server on port ${server.port}`, stop: server.stop };
    } catch (error) {
      tried.push(`the redis-server binary (${describe(error)})`);
    }
  } else tried.push(`a ${binary} binary on the PATH (none)`);

  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    const { RedisContainer } = await import('@testcontainers/redis');
    options.log('no Redis configured, local or on the PATH: starting a Redis container (testcontainers)');
    const container = await new RedisContainer('redis:7-alpine')
      .withCommand(['redis-server', '--maxmemory-policy', 'noeviction'])
      .start();
    return {
      url: container.getConnectionUrl(),
      source: 'a Redis container',
      stop: async () => void (await container.stop()),
    };
  } catch (error) {
    tried.push(`a Docker engine for testcontainers (${describe(error)})`);
  }

  try {
    options.log('no Redis binary or Docker engine: trying redis-memory-server (downloads and builds Redis once)');
    const { RedisMemoryServer } = await import('redis-memory-server');
    const server = await RedisMemoryServer.create({
      instance: { args: ['--maxmemory-policy', 'noeviction', '--save', ''] },
    });
    const url = `redis://${await server.getHost()}:${await server.getPort()}`;
    return { url, source: 'redis-memory-server', stop: async () => void (await server.stop()) };
  } catch (error) {
    tried.push(`redis-memory-server (${describe(error)})`);
  }
  throw new MissingInfrastructureError(
    [
      'CABC needs Redis and could not find or start one. Tried:',
      ...tried.map((line) => `  - ${line}`),
      'Provide one, then run the command again, e.g.:',
      '  apt-get install redis-server        (the scripts then start it themselves), or',
      '  redis-server --port 6379 --save "" --appendonly no --maxmemory-policy noeviction, or',
      '  REDIS_URL=redis://host:port pointing at yours.',
    ].join('\n'),
  );
}

/**
 * Postgres, in this order: DATABASE_URL; a Postgres on 127.0.0.1:5432 (user postgres); an embedded Postgres (real
 * binaries from the embedded-postgres package) with its data in dataDir/postgres.
 */
export async function providePostgres(
  options: ProvideOptions & { embeddedPassword: string; embeddedPort?: number },
): Promise<ProvidedServer> {
  const env = options.env ?? process.env;
  if (env.DATABASE_URL) {
    if (await isPostgresReachable(env.DATABASE_URL)) return found(env.DATABASE_URL, 'DATABASE_URL');
    throw new MissingInfrastructureError(
      `DATABASE_URL is set but Postgres does not answer at ${new URL(env.DATABASE_URL).host}`,
    );
  }
  const local = options.localPostgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await isPostgresReachable(local)) return found(local, `the Postgres on ${new URL(local).host}`);
  try {
    const server = await startEmbeddedPostgres({
      dir: path.join(options.dataDir, 'postgres'),
      password: options.embeddedPassword,
      ...(options.embeddedPort ? { port: options.embeddedPort } : {}),
    });
    options.log(`no Postgres configured or on 127.0.0.1:5432: started an embedded one on port ${server.port}`);
    return { url: server.url, source: `embedded Postgres on port ${server.port}`, stop: server.stop };
  } catch (error) {
    throw new MissingInfrastructureError(
      [
        'CABC needs Postgres and could not find or start one. Tried: DATABASE_URL (unset), a Postgres on 127.0.0.1:5432',
        `(none answers), the embedded-postgres package (${describe(error)}).`,
        'Point DATABASE_URL at yours (postgres://user:password@host:port/postgres).',
      ].join('\n'),
    );
  }
}
