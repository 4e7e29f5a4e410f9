import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createLogger } from '../logging/logger.ts';

/** A connection for BullMQ: workers need `maxRetriesPerRequest: null` so blocking commands wait for reconnects. */
export function createRedis(url: string, options: { logger?: Pick<Logger, 'warn'> } = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  // Unheard, an 'error' event would crash the process; ioredis reconnects by itself, readiness reports the outage.
  const logger = options.logger ?? createLogger('redis');
  redis.on('error', (error) => logger.warn({ err: error }, 'Redis connection error; reconnecting'));
  return redis;
}

export async function isRedisReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  // A probe: its failure is the answer (false), told through the result rather than an event.
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
 * For readiness probes: a client still making its first connection gets up to `waitMs` to finish it; a disconnected
 * one answers "no" at once instead of queueing the PING until Redis returns (connections for workers wait forever by
 * design: `maxRetriesPerRequest: null`).
 */
export async function isRedisReady(redis: Redis, waitMs = 1_000): Promise<boolean> {
  if (redis.status === 'connecting' || redis.status === 'connect') {
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      onReady = resolve;
      redis.once('ready', onReady);
    });
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
  }
  if (redis.status !== 'ready') return false;
  return (await redis.ping()) === 'PONG';
}

/** Deletes every key under `prefix:` (a test's or a checkout's queues), in SCAN batches. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  // Failures reach the caller through the rejected commands below.
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
