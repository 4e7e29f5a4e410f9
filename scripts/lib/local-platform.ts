import path from 'node:path';
import { loadOrCreateLocalIssuer } from '@cabc/auth';
import { KeyDecryptionError } from '@cabc/crypto';
import type { LocalCertificates } from '@cabc/local-servers';
import type { Writable } from 'node:stream';
import {
  ChildStartError,
  startPlatform,
  startPlatformProcesses,
  type Platform,
  type PlatformOptions,
  type ServiceKey,
} from '@cabc/platform';
import { localState, MissingInfrastructureError, provideInfrastructure } from './infrastructure.ts';
import { dropLocalData, localNames, removeLocalServerData } from './local-data.ts';

export interface LocalPlatformOptions {
  dataDir: string;
  log: (line: string) => void;
  /** --reset-local-data: drop this checkout's databases, queue keys and local server data, then start afresh. */
  reset?: boolean;
  env?: NodeJS.ProcessEnv;
  /**
   * Each service's API and workers as processes of their own under a supervisor, their log lines prefixed and
   * written to `processes.output` (the run command's default); otherwise all in this process (`--single-process`).
   */
  processes?: { output: Writable };
  /** --tls: mutual TLS between the services with the local CA's certificates (docs/operations.md#tls). */
  tls?: LocalCertificates;
}

/** The checkout's stored data cannot be opened with its secret: what happened and what to do, never a stack trace. */
export class LocalDataLockedError extends Error {}

const envPort = (env: NodeJS.ProcessEnv, name: string, fallback: number) => Number(env[name] ?? fallback);

function perService(env: NodeJS.ProcessEnv, suffix: string): Partial<Record<ServiceKey, string>> {
  const variables: Record<ServiceKey, string> = {
    collector: 'COLLECTOR',
    assessment: 'ASSESSMENT',
    certificationBody: 'CERTIFICATION_BODY',
  };
  return Object.fromEntries(
    Object.entries(variables).flatMap(([key, prefix]) =>
      env[`${prefix}_${suffix}`] ? [[key, env[`${prefix}_${suffix}`]!]] : [],
    ),
  );
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 10; current = (current as { cause?: unknown }).cause)
    chain.push(current);
  return chain;
}

/** The run command's platform: infrastructure found or started, this checkout's databases, the local token issuer. */
export async function startLocalPlatform(
  options: LocalPlatformOptions,
): Promise<{ platform: Pick<Platform, 'urls' | 'token'>; stop: () => Promise<void> }> {
  const env = options.env ?? process.env;
  const state = localState(options.dataDir);
  const names = localNames(state, env);
  if (options.reset) {
    options.log(`--reset-local-data: removing this checkout's local server data in ${options.dataDir}`);
    removeLocalServerData(options.dataDir);
  }
  const infrastructure = await provideInfrastructure(options.log, options.dataDir, env);
  try {
    if (options.reset) {
      await dropLocalData(names, infrastructure.postgres.url, infrastructure.redis.url);
      options.log(
        `--reset-local-data: dropped ${names.databases.join(', ')} and the queue keys ${names.queuePrefix}:*`,
      );
    }
    const platformOptions: PlatformOptions = {
      databaseUrl: infrastructure.postgres.url,
      databaseUrls: perService(env, 'DATABASE_URL'),
      databasePrefix: names.databasePrefix,
      redisUrl: infrastructure.redis.url,
      redisUrls: perService(env, 'REDIS_URL'),
      queuePrefix: names.queuePrefix,
      keyEncryptionSecret: env.KEY_ENCRYPTION_SECRET ?? state.keyEncryptionSecret,
      host: env.HOST ?? '127.0.0.1',
      ports: {
        collector: envPort(env, 'COLLECTOR_PORT', 8081),
        assessment: envPort(env, 'ASSESSMENT_PORT', 8082),
        certificationBody: envPort(env, 'CERTIFICATION_BODY_PORT', 8083),
      },
      logLevel: env.LOG_LEVEL ?? 'info',
      // `./scripts/cabc token --role … --org …` signs with the same key file.
      tokenIssuer: await loadOrCreateLocalIssuer(path.join(options.dataDir, 'local-issuer.json')),
      reconcileInterval: env.RECONCILE_INTERVAL ?? '5s',
      ...(options.tls ? { tls: options.tls } : {}),
    };
    const platform = options.processes
      ? await startPlatformProcesses({ ...platformOptions, output: options.processes.output })
      : await startPlatform(platformOptions);
    return { platform, stop: async () => (await platform.close(), await infrastructure.stop()) };
  } catch (error) {
    await infrastructure.stop();
    // In a child process the error is its output: its name is in the stack trace the process printed.
    const sealed =
      causes(error).some((cause) => cause instanceof KeyDecryptionError) ||
      (error instanceof ChildStartError && error.output.includes(KeyDecryptionError.name));
    if (sealed) {
      throw new LocalDataLockedError(
        [
          `The databases ${names.databases.join(', ')} (on ${infrastructure.postgres.source}) hold signing keys sealed with`,
          `another key-encryption secret than this checkout's (${path.join(options.dataDir, 'local-state.json')}${env.KEY_ENCRYPTION_SECRET ? ', overridden by KEY_ENCRYPTION_SECRET' : ''}).`,
          'Either set KEY_ENCRYPTION_SECRET to the secret they were made with, or start afresh (this deletes their data):',
          '  ./scripts/run-platform.sh --reset-local-data',
        ].join('\n'),
      );
    }
    throw error;
  }
}

export { MissingInfrastructureError };
