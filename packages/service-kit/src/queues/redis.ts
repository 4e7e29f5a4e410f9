import { Redis } from 'ioredis';

/** A connection for BullMQ: workers need `maxRetriesPerRequest: null` so blocking commands wait for reconnects. */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  // Errors are reported through readiness and the job layer; an unhandled 'error' event would crash the process.
  redis.on('error', () => {});
  return redis;
}

export async function isRedisReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export type { Redis };

/**
 * For readiness probes: a disconnected client answers "no" at once instead of queueing the PING until Redis returns
 * (connections for workers wait forever by design: `maxRetriesPerRequest: null`).
 */
export async function isRedisReady(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  return (await redis.ping()) === 'PONG';
}

/** Deletes every key under `prefix:` (a test's or a checkout's queues), in SCAN batches. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
