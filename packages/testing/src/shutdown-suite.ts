import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@cabc/service-kit';
import { accepts, namedRedisUrl, postgresSessionsOn, redisConnectionsNamed } from './connections.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { deleteRedisPrefix, testQueuePrefix } from './test-redis.ts';
import { waitFor } from './wait-for.ts';

/** What the shutdown suite needs of a running service. */
export interface ClosableService {
  url: string;
  app: { server: { listening: boolean } };
  close: () => Promise<void>;
}

export interface ShutdownSuite {
  /** The service's name as the test titles say it. */
  name: string;
  database: ServiceName;
  /**
   * Starts the service listening on the suite's database and queue prefix, with `env` (port 0, a named Redis
   * connection, timers every 50 ms) over its test environment; `exercise` then does what opens its connections.
   */
  start: (context: { databaseUrl: string; prefix: string; env: Record<string, string> }) => Promise<{
    service: ClosableService;
    exercise: () => Promise<void>;
  }>;
  /** How many BullMQ connections (named after the prefix) its workers hold open besides the app's own. */
  workerConnections: number;
}

/** Closing a service stops it listening, stops its timers and releases every Redis connection and the Postgres pool. */
export function describeShutdown(suite: ShutdownSuite): void {
  describe(`${suite.name} graceful shutdown`, () => {
    let database: TestDatabase;
    let prefix: string;
    let service: ClosableService | undefined;
    let exercise: () => Promise<void>;
    beforeAll(async () => {
      database = await createTestDatabase(suite.database);
      prefix = testQueuePrefix(`${suite.database}-shutdown`);
      const env = { PORT: '0', REDIS_URL: namedRedisUrl(`${prefix}-main`), RECONCILE_INTERVAL: '50ms' };
      ({ service, exercise } = await suite.start({ databaseUrl: database.url, prefix, env }));
    });
    afterAll(async () => {
      await service?.close().catch(() => undefined);
      await deleteRedisPrefix(prefix);
      await database?.drop();
    });

    it('stops listening, stops its timers and releases Redis connections and the Postgres pool on close', async () => {
      const running = service!;
      await exercise();

      // Running: the app's own connection and its workers' (BullMQ names them after the prefix) are open.
      const open = await waitFor('worker connections', async () => {
        const names = await redisConnectionsNamed(prefix);
        const workers = names.filter((name) => name.startsWith(`${prefix}:`)).length;
        return names.includes(`${prefix}-main`) && workers >= suite.workerConnections ? names : undefined;
      });
      expect(open.length).toBeGreaterThanOrEqual(1 + suite.workerConnections);
      expect(await postgresSessionsOn(database.url)).toBeGreaterThan(0);

      await running.close();
      service = undefined;

      expect(running.app.server.listening).toBe(false);
      expect(await accepts(running.url)).toBe(false);
      expect(await redisConnectionsNamed(prefix)).toEqual([]);
      expect(await waitFor('the pool closed', async () => (await postgresSessionsOn(database.url)) === 0)).toBe(true);
      // The timers tick every 50 ms; had one outlived close, it would have opened a session again.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await postgresSessionsOn(database.url)).toBe(0);
    });
  });
}
