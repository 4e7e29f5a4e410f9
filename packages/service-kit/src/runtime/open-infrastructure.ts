import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SigningKeyStore } from '@cabc/key-store';
import type { ServiceEnv } from '../config/service-env.ts';
import { createDatabase } from '../database/create-database.ts';
import { migrateToLatest, type ServiceName } from '../database/migrate.ts';
import { ensureDatabaseExists } from '../database/provision.ts';
import { createLogger } from '../logging/logger.ts';
import { createProducerRedis, createRedis, type Redis } from '../queues/redis.ts';
import type { QueueContext } from '../queues/typed-queue.ts';
import { once } from './once.ts';

export interface Infrastructure {
  logger: Logger;
  db: Kysely<any>;
  redis: Redis;
  queues: QueueContext;
  keys: SigningKeyStore;
  /** Ends the pool (once); the app's postgres plugin calls it when the app closes. */
  closeDatabase: () => Promise<void>;
  /** Quits Redis (once); the app's redis plugin calls it when the app closes. */
  closeRedis: () => Promise<void>;
  /** Both, for a caller that never handed the infrastructure to an app. */
  close: () => Promise<void>;
}

/**
 * What every service process opens before it builds its app: logger, database (migrated), Redis, signing keys.
 * `redis` replaces the connection the configuration names (tests of a service without Redis).
 */
export async function openInfrastructure(
  service: ServiceName,
  config: ServiceEnv,
  overrides: { redis?: Redis } = {},
): Promise<Infrastructure> {
  const logger = createLogger(service, config.LOG_LEVEL);
  if (config.MIGRATE_ON_START) {
    await ensureDatabaseExists(config.DATABASE_URL);
  }
  const db = createDatabase<any>(config.DATABASE_URL, { logger });
  const closeDatabase = once(() => db.destroy());
  try {
    if (config.MIGRATE_ON_START) {
      const applied = await migrateToLatest(db, service);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    const keys = new SigningKeyStore(db, {
      secret: config.KEY_ENCRYPTION_SECRET,
      service,
      onRefused: (refused) =>
        logger.error(
          { keyRefused: refused },
          `signing key ${refused.kid} refused (not published, not used): ${refused.reason}`,
        ),
    });
    const active = await keys.active();
    logger.info({ kid: active.kid }, 'signing key ready');
    const redis = overrides.redis ?? createRedis(config.REDIS_URL, { logger });
    const producer = createProducerRedis(redis, { logger });
    const closeRedis = once(async () => {
      await producer.quit().catch(() => producer.disconnect());
      await redis.quit().catch(() => redis.disconnect());
    });
    return {
      logger,
      db,
      redis,
      queues: {
        connection: redis,
        producer,
        prefix: config.QUEUE_PREFIX,
        enqueueTimeoutMs: config.ENQUEUE_TIMEOUT,
        recovery: { lockDurationMs: config.WORKER_LOCK_DURATION, stalledIntervalMs: config.WORKER_STALLED_INTERVAL },
      },
      keys,
      closeDatabase,
      closeRedis,
      close: async () => {
        await closeRedis();
        await closeDatabase();
      },
    };
  } catch (error) {
    await closeDatabase();
    throw error;
  }
}
