import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SigningKeyStore } from '@cabc/key-store';
import type { ServiceEnv } from '../config/service-env.ts';
import { createDatabase } from '../database/create-database.ts';
import { migrateToLatest, type ServiceName } from '../database/migrate.ts';
import { ensureDatabaseExists } from '../database/provision.ts';
import { createLogger } from '../logging/logger.ts';
import { createRedis, type Redis } from '../queues/redis.ts';
import type { QueueContext } from '../queues/typed-queue.ts';

export interface Infrastructure {
  logger: Logger;
  db: Kysely<any>;
  redis: Redis;
  queues: QueueContext;
  keys: SigningKeyStore;
  /** Closes Redis and the pool; call after the app (and its workers) closed. */
  close: () => Promise<void>;
}

/** What every service process opens before it builds its app: logger, database (migrated), Redis, signing keys. */
export async function openInfrastructure(service: ServiceName, config: ServiceEnv): Promise<Infrastructure> {
  const logger = createLogger(service, config.LOG_LEVEL);
  if (config.MIGRATE_ON_START) {
    await ensureDatabaseExists(config.DATABASE_URL);
  }
  const db = createDatabase<any>(config.DATABASE_URL);
  if (config.MIGRATE_ON_START) {
    const applied = await migrateToLatest(db, service);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const redis = createRedis(config.REDIS_URL);
  const keys = new SigningKeyStore(db, { secret: config.KEY_ENCRYPTION_SECRET, service });
  const active = await keys.active();
  logger.info({ kid: active.kid }, 'signing key ready');
  return {
    logger,
    db,
    redis,
    queues: { connection: redis, prefix: config.QUEUE_PREFIX },
    keys,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
      await db.destroy();
    },
  };
}
