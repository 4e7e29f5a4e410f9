import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { isRedisReady } from '../queues/redis.ts';
import type { Infrastructure } from './open-infrastructure.ts';

type Options = { infra: Infrastructure };

/** The service's Postgres pool, owned by the app: ended when the app closes, after everything that uses it. */
export const postgresPlugin = fp<Options>(
  async (app, { infra }) => {
    app.addHook('onClose', () => infra.closeDatabase());
  },
  { name: 'cabc-postgres' },
);

/** The service's Redis connection (queues), owned by the app: quit when the app closes. */
export const redisPlugin = fp<Options>(
  async (app, { infra }) => {
    app.addHook('onClose', () => infra.closeRedis());
  },
  { name: 'cabc-redis' },
);

/**
 * Hands the infrastructure to the app: one plugin per client, each closing its client in its own onClose. Fastify
 * runs onClose hooks last-registered first, so what the app registers afterwards (the composition, the workers)
 * closes before Redis and the pool go.
 */
export async function registerInfrastructure(app: FastifyInstance, infra: Infrastructure): Promise<void> {
  await app.register(postgresPlugin, { infra });
  await app.register(redisPlugin, { infra });
}

/** The readiness checks of the infrastructure, for `/readyz`. */
export function infrastructureReadiness(infra: Pick<Infrastructure, 'db' | 'redis'>) {
  return [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(infra.db), true) },
    { name: 'redis', check: () => isRedisReady(infra.redis) },
  ];
}
