import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { defaultAudiences, defaultServiceOfRole, mintToken, type Role } from '@cabc/auth';
import { signingKeyFrom, type SigningKey } from '@cabc/crypto';
import { freePort, startRedisServer, type LocalRedis } from '@cabc/local-servers';
import type { ServiceKey } from '@cabc/platform';
import { databaseUrlFor } from '@cabc/service-kit';
import { startPostgresServer, type PostgresServer } from './postgres-server.ts';
import type { PlatformSpec, ToChild, ToParent } from './platform-protocol.ts';

const childEntry = fileURLToPath(new URL('./platform-process.ts', import.meta.url));

const databaseNames: Record<ServiceKey, string> = {
  collector: 'faults_evidence_collector',
  assessment: 'faults_assessment',
  certificationBody: 'faults_certification_body',
};

export interface FaultCluster {
  postgres: PostgresServer;
  redis: () => LocalRedis;
  urls: Record<ServiceKey, string>;
  databaseUrls: Record<ServiceKey, string>;
  token: (role: Role, org: string) => Promise<string>;
  /** Starts the platform process and resolves when its services listen; answers that moment. */
  startPlatform: () => Promise<number>;
  /** SIGKILL: what a crash, an OOM kill or a pulled plug does. */
  killPlatform: () => Promise<void>;
  /** The process id of the running platform process, and whether it is still alive. */
  platformPid: () => number | undefined;
  stopService: (service: ServiceKey) => Promise<void>;
  startService: (service: ServiceKey) => Promise<void>;
  /** SIGKILL of Redis, then a new, empty Redis on the same port after `downMs`. */
  restartRedisEmpty: (downMs: number) => Promise<void>;
  killRedis: () => Promise<void>;
  startRedis: () => Promise<void>;
  /** Exits of the platform process the tests did not cause, with what it printed last. */
  unexpectedExits: () => string[];
  /** Everything the platform process printed (pino JSON lines and anything else). */
  output: () => string;
  query: <R extends pg.QueryResultRow>(service: ServiceKey, sql: string, params?: unknown[]) => Promise<R[]>;
  close: () => Promise<void>;
}

/**
 * Postgres, Redis and the platform (as a child process), all of the fault tests' own, so they may kill and restart
 * any of them. `env` is added to each service's configuration.
 */
export async function startFaultCluster(options: {
  env: Partial<Record<ServiceKey, Record<string, string>>>;
}): Promise<FaultCluster> {
  const postgres = await startPostgresServer();
  let redis = await startRedisServer();
  const host = '127.0.0.1';
  const ports = {
    collector: await freePort(host),
    assessment: await freePort(host),
    certificationBody: await freePort(host),
  };
  const urls = Object.fromEntries(
    Object.entries(ports).map(([key, port]) => [key, `http://${host}:${port}`]),
  ) as Record<ServiceKey, string>;
  const databaseUrls = Object.fromEntries(
    (Object.keys(databaseNames) as ServiceKey[]).map((key) => [key, databaseUrlFor(postgres.url, databaseNames[key])]),
  ) as Record<ServiceKey, string>;
  const issuerKey = generateKeyPairSync('ed25519').privateKey;
  const issuer: SigningKey = await signingKeyFrom(issuerKey);
  const spec: PlatformSpec = {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    queuePrefix: `faults-${randomBytes(3).toString('hex')}`,
    ports,
    issuerPem: issuerKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    logLevel: 'info',
    reconcileInterval: '1s',
    retryMaxDelay: '500ms',
    env: options.env,
  };

  let child: ChildProcess | undefined;
  let expectingExit = false;
  let printed = '';
  const unexpected: string[] = [];
  let nextId = 1;
  const pending = new Map<number, (message: Extract<ToParent, { type: 'done' }>) => void>();

  const startPlatform = () =>
    new Promise<number>((resolve, reject) => {
      const started = fork(childEntry, [], {
        env: { ...process.env, CABC_FAULTS_PLATFORM: JSON.stringify(spec) },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        execArgv: [],
      });
      child = started;
      expectingExit = false;
      const keep = (chunk: Buffer) => {
        printed += chunk.toString('utf8');
      };
      started.stdout?.on('data', keep);
      started.stderr?.on('data', keep);
      started.on('message', (message: ToParent) => {
        if (message.type === 'ready') resolve(Date.now());
        if (message.type === 'done') pending.get(message.id)?.(message);
      });
      started.once('exit', (code, signal) => {
        if (child === started) child = undefined;
        if (!expectingExit) {
          const tail = printed.split('\n').slice(-30).join('\n');
          unexpected.push(`platform process exited (code ${code}, signal ${signal}):\n${tail}`);
          reject(new Error(`platform process exited before it was ready (code ${code}, signal ${signal}):\n${tail}`));
        }
      });
    });

  const request = (type: ToChild['type'], service: ServiceKey) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (message) => {
        pending.delete(id);
        if (message.error) reject(new Error(message.error));
        else resolve();
      });
      if (!child) reject(new Error('the platform process is not running'));
      else child.send({ type, id, service } satisfies ToChild);
    });

  const killPlatform = async () => {
    const running = child;
    if (!running) return;
    expectingExit = true;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  const query = async <R extends pg.QueryResultRow>(service: ServiceKey, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: databaseUrls[service] });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  return {
    postgres,
    redis: () => redis,
    urls,
    databaseUrls,
    token: (role, org) =>
      mintToken({
        issuer: 'cabc-local',
        // Each service takes only tokens of its own audience: the role's usual service, as platform.token does.
        audience: defaultAudiences[defaultServiceOfRole[role]],
        subject: `${role}@${org}`,
        org,
        role,
        ttlSeconds: 3600,
        key: issuer,
      }),
    startPlatform,
    killPlatform,
    platformPid: () => child?.pid,
    stopService: (service) => request('stop', service),
    startService: (service) => request('start', service),
    killRedis: () => redis.kill(),
    startRedis: async () => {
      redis = await startRedisServer({ port: redis.port });
    },
    restartRedisEmpty: async (downMs) => {
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      redis = await startRedisServer({ port: redis.port });
    },
    unexpectedExits: () => [...unexpected],
    output: () => printed,
    query,
    close: async () => {
      if (child) {
        expectingExit = true;
        const running = child;
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await redis.kill();
      await postgres.destroy();
    },
  };
}
