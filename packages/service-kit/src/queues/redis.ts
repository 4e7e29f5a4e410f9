import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createLogger } from '../logging/logger.ts';
import { connectionState } from '../runtime/connection-state.ts';

type StateLogger = Pick<Logger, 'warn' | 'info' | 'debug'>;

/** Logs the connection's outages once per state change (ioredis emits 'error' on every reconnect attempt). */
function logStateChanges(redis: Redis, logger: StateLogger, what: string): Redis {
  const state = connectionState(logger, what);
  // Unheard, an 'error' event would crash the process; ioredis reconnects by itself, readiness reports the outage.
  redis.on('error', (error) => state.down(error));
  redis.on('ready', () => state.up());
  return redis;
}

/** A connection for BullMQ: workers need `maxRetriesPerRequest: null` so blocking commands wait for reconnects. */
export function createRedis(url: string, options: { logger?: StateLogger } = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  return logStateChanges(redis, options.logger ?? createLogger('redis'), 'Redis');
}

/**
 * The producers' connection, beside the workers' one: while Redis is unreachable a command fails at once instead of
 * waiting in the offline queue for the reconnect (`enableOfflineQueue: false`, one retry), so a request that committed
 * its outbox row answers without Redis; the reconciler enqueues what could not be.
 */
export function createProducerRedis(redis: Redis, options: { logger?: StateLogger } = {}): Redis {
  const producer = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  return logStateChanges(producer, options.logger ?? createLogger('redis'), 'Redis (producers)');
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
