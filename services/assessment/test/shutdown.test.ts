import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import type { RunningService } from '@cabc/runtime';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, waitFor, type TestDatabase } from '@cabc/testing';
import { loadAssessmentConfig } from '../src/config.ts';
import { startAssessment } from '../src/service.ts';
import { createDatabase } from '@cabc/database';
import { assessmentEnv, evidenceStatement, signedEnvelope } from './support/assessment-app.ts';
import { seedApprovedToe } from './support/seed.ts';
import { accepts, namedRedisUrl, postgresSessionsOn, redisConnectionsNamed } from './support/connections.ts';

async function postureRows(url: string): Promise<number> {
  const db = createDatabase<any>(url, { max: 1 });
  try {
    const row = await db.selectFrom('postures').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  } finally {
    await db.destroy();
  }
}

describe('assessment graceful shutdown', () => {
  let database: TestDatabase;
  let prefix: string;
  let service: RunningService | undefined;
  let collectorKey: SigningKey;
  beforeAll(async () => {
    database = await createTestDatabase('assessment');
    prefix = testQueuePrefix('assessment-shutdown');
    collectorKey = await generateSigningKey();
    const seeding = createDatabase<any>(database.url, { max: 1 });
    await seedApprovedToe(seeding, 'toe-shutdown', [collectorKey]);
    await seeding.destroy();
    const env = assessmentEnv(database.url, prefix, await generateSigningKey(), { PORT: '0', REDIS_URL: namedRedisUrl(`${prefix}-main`) });
    service = await startAssessment(loadAssessmentConfig(env));
  });
  afterAll(async () => {
    await service?.close().catch(() => undefined);
    await deleteRedisPrefix(prefix);
    await database?.drop();
  });

  it('stops listening and releases Redis connections and the Postgres pool on close', async () => {
    const running = service!;
    const accepted = await fetch(`${running.url}/v1/evidence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: signedEnvelope(evidenceStatement({ toe: 'toe-shutdown' }), collectorKey),
    });
    expect(accepted.status).toBe(201);
    // The evaluation worker ran: the posture exists (its callback to an unreachable certification body keeps retrying).
    await waitFor('the posture', async () => (await postureRows(database.url)) === 1);

    const open = await waitFor('worker connections', async () => {
      const names = await redisConnectionsNamed(prefix);
      return names.includes(`${prefix}-main`) && names.filter((name) => name.startsWith(`${prefix}:`)).length >= 2 ? names : undefined;
    });
    expect(open.length).toBeGreaterThanOrEqual(3);
    expect(await postgresSessionsOn(database.url)).toBeGreaterThan(0);

    await running.close();
    service = undefined;

    expect(running.app.server.listening).toBe(false);
    expect(await accepts(running.url)).toBe(false);
    expect(await redisConnectionsNamed(prefix)).toEqual([]);
    expect(await waitFor('the pool closed', async () => (await postgresSessionsOn(database.url)) === 0)).toBe(true);
  });
});
