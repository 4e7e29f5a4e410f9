import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { databaseUrlFor, deleteRedisKeys } from '@cabc/service-kit';
import type { LocalState } from './infrastructure.ts';

export const localServices = ['evidence_collector', 'assessment', 'certification_body'] as const;

/** This checkout's names on a shared Postgres and Redis (DATABASE_PREFIX / QUEUE_PREFIX override them). */
export function localNames(state: LocalState, env: NodeJS.ProcessEnv = process.env) {
  const databasePrefix = env.DATABASE_PREFIX ?? `cabc_${state.checkoutId}`;
  return {
    databasePrefix,
    databases: localServices.map((service) => `${databasePrefix}_${service}`),
    queuePrefix: env.QUEUE_PREFIX ?? `cabc-${state.checkoutId}`,
  };
}

/** Before the servers start: the data of the servers this checkout runs itself (embedded Postgres, redis-server). */
export function removeLocalServerData(dataDir: string): void {
  for (const folder of ['postgres', 'redis']) rmSync(path.join(dataDir, folder), { recursive: true, force: true });
}

/** After they are reachable: this checkout's databases and queue keys, wherever they live. */
export async function dropLocalData(
  names: ReturnType<typeof localNames>,
  postgresUrl: string,
  redisUrl: string,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrlFor(postgresUrl, 'postgres') });
  await client.connect();
  try {
    for (const name of names.databases) await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
  await deleteRedisKeys(redisUrl, names.queuePrefix);
}
