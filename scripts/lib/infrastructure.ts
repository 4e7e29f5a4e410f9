import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MissingInfrastructureError, providePostgres, provideRedis, type ProvidedServer } from '@cabc/local-servers';

export { MissingInfrastructureError, type ProvidedServer };

export const repositoryRoot = path.resolve(import.meta.dirname, '../..');
export const defaultDataDir = path.join(repositoryRoot, '.data');

/**
 * What a checkout keeps between runs of the local platform, in .data/local-state.json. `checkoutId` names this
 * checkout's databases and queue keys, so that two clones sharing one Postgres and Redis never open each other's
 * data (sealed with another secret).
 */
export interface LocalState {
  checkoutId: string;
  keyEncryptionSecret: string;
  embeddedPostgresPassword: string;
}

export function localState(dataDir = defaultDataDir): LocalState {
  const file = path.join(dataDir, 'local-state.json');
  const stored: Partial<LocalState> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const state: LocalState = {
    checkoutId: stored.checkoutId ?? randomBytes(4).toString('hex'),
    keyEncryptionSecret: stored.keyEncryptionSecret ?? randomBytes(32).toString('base64url'),
    embeddedPostgresPassword: stored.embeddedPostgresPassword ?? randomBytes(18).toString('base64url'),
  };
  if (JSON.stringify(stored) !== JSON.stringify(state)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  return state;
}

/** Postgres and Redis for a command of this checkout: found or started (see @cabc/local-servers for the order). */
export async function provideInfrastructure(
  log: (line: string) => void,
  dataDir = defaultDataDir,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ postgres: ProvidedServer; redis: ProvidedServer; stop: () => Promise<void> }> {
  const redis = await provideRedis({ dataDir, log, env });
  let postgres: ProvidedServer;
  try {
    postgres = await providePostgres({
      dataDir,
      log,
      env,
      embeddedPassword: localState(dataDir).embeddedPostgresPassword,
      ...(env.EMBEDDED_POSTGRES_PORT ? { embeddedPort: Number(env.EMBEDDED_POSTGRES_PORT) } : {}),
    });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return { postgres, redis, stop: async () => void (await Promise.all([postgres.stop(), redis.stop()])) };
}
