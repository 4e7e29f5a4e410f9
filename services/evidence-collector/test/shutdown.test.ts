import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@cabc/runtime';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, waitFor, type TestDatabase } from '@cabc/testing';
import { loadCollectorConfig } from '../src/config.ts';
import { startCollector } from '../src/service.ts';
import { bearer, collectorEnv, performanceEvidence } from './support/collector-app.ts';
import { accepts, namedRedisUrl, postgresSessionsOn, redisConnectionsNamed } from './support/connections.ts';

describe('collector graceful shutdown', () => {
  let database: TestDatabase;
  let prefix: string;
  let service: RunningService | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('evidence-collector');
    prefix = testQueuePrefix('collector-shutdown');
    const config = loadCollectorConfig(await collectorEnv(database.url, prefix, { PORT: '0', REDIS_URL: namedRedisUrl(`${prefix}-main`) }));
    service = await startCollector(config);
  });
  afterAll(async () => {
    await service?.close().catch(() => undefined);
    await deleteRedisPrefix(prefix);
    await database?.drop();
  });

  it('stops listening and releases Redis connections and the Postgres pool on close', async () => {
    const running = service!;
    const submitted = await fetch(`${running.url}/v1/evidence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer('pipeline')) },
      body: JSON.stringify(performanceEvidence()),
    });
    expect(submitted.status).toBe(201);

    // Running: the app's own connection and the delivery worker's (BullMQ names it after the prefix) are open.
    const open = await waitFor('worker connections', async () => {
      const names = await redisConnectionsNamed(prefix);
      return names.includes(`${prefix}-main`) && names.some((name) => name.startsWith(`${prefix}:`)) ? names : undefined;
    });
    expect(open.length).toBeGreaterThanOrEqual(2);
    expect(await postgresSessionsOn(database.url)).toBeGreaterThan(0);

    await running.close();
    service = undefined;

    expect(running.app.server.listening).toBe(false);
    expect(await accepts(running.url)).toBe(false);
    expect(await redisConnectionsNamed(prefix)).toEqual([]);
    expect(await waitFor('the pool closed', async () => (await postgresSessionsOn(database.url)) === 0)).toBe(true);
  });
});
