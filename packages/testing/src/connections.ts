import { Redis } from 'ioredis';
import pg from 'pg';
import { databaseUrlFor } from '@cabc/service-kit';
import { testRedisUrl } from './test-redis.ts';

/** A Redis URL whose connection announces `name` (ioredis reads connectionName from the query), to find it later. */
export function namedRedisUrl(name: string): string {
  const url = new URL(testRedisUrl());
  url.searchParams.set('connectionName', name);
  return url.toString();
}

/** Names of the Redis connections open now whose name starts with `prefix` (ours, and BullMQ's, which use it). */
export async function redisConnectionsNamed(prefix: string): Promise<string[]> {
  const probe = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    const list = (await probe.client('LIST')) as string;
    return list
      .split('\n')
      .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
      .filter((name) => name.startsWith(prefix));
  } finally {
    probe.disconnect();
  }
}

/** Sessions open on database `url` (other than the one asking). */
export async function postgresSessionsOn(url: string): Promise<number> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: databaseUrlFor(url, 'postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ count: number }>(
      'select count(*)::int as count from pg_stat_activity where datname = $1',
      [name],
    );
    return rows[0]!.count;
  } finally {
    await admin.end();
  }
}

/** Whether anything accepts a TCP connection at `url` now. */
export async function accepts(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}
