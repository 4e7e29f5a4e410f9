import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import type { RunningService } from '@cabc/runtime';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, waitFor, type TestDatabase } from '@cabc/testing';
import { loadCertificationConfig } from '../src/config.ts';
import { startCertificationBody } from '../src/service.ts';
import { certificationEnv, postureClaims, signedCallback } from './support/certification-app.ts';
import { accepts, namedRedisUrl, postgresSessionsOn, redisConnectionsNamed } from './support/connections.ts';

describe('certification body graceful shutdown', () => {
  let database: TestDatabase;
  let prefix: string;
  let auditorKey: SigningKey;
  let service: (RunningService & { runDeadlines: () => Promise<number> }) | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('certification-body');
    prefix = testQueuePrefix('certification-shutdown');
    auditorKey = await generateSigningKey();
    const env = certificationEnv(database.url, prefix, [auditorKey], {
      PORT: '0',
      REDIS_URL: namedRedisUrl(`${prefix}-main`),
      RECONCILE_INTERVAL: '50ms',
    });
    service = await startCertificationBody(loadCertificationConfig(env));
  });
  afterAll(async () => {
    await service?.close().catch(() => undefined);
    await deleteRedisPrefix(prefix);
    await database?.drop();
  });

  it('stops listening, stops its deadline scheduler and releases Redis and the Postgres pool on close', async () => {
    const running = service!;
    const applied = await fetch(`${running.url}/v1/callbacks/assessment`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: await signedCallback(postureClaims({ toe: 'toe-shutdown' }), auditorKey),
    });
    expect(applied.status).toBe(200);
    expect(await redisConnectionsNamed(prefix)).toContain(`${prefix}-main`);
    expect(await postgresSessionsOn(database.url)).toBeGreaterThan(0);

    await running.close();
    service = undefined;

    expect(running.app.server.listening).toBe(false);
    expect(await accepts(running.url)).toBe(false);
    expect(await redisConnectionsNamed(prefix)).toEqual([]);
    expect(await waitFor('the pool closed', async () => (await postgresSessionsOn(database.url)) === 0)).toBe(true);
    // The scheduler ticks every 50 ms; had it outlived close, it would have reopened nothing but logged failures.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await postgresSessionsOn(database.url)).toBe(0);
  });
});
