import { sql } from 'kysely';
import type { Server } from '@cabc/http-kit';
import { openInfrastructure, type Infrastructure } from '@cabc/runtime';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import { buildApp } from '../../src/app.ts';
import { loadCollectorConfig, type CollectorConfig } from '../../src/config.ts';

export const TEST_SECRET = 'test-only-key-encryption-secret';

/** The minimal environment the collector needs, on this test's database and queue prefix. */
export function collectorEnv(databaseUrl: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    ASSESSMENT_URL: 'http://127.0.0.1:1',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export interface CollectorFixture {
  app: Server;
  infra: Infrastructure;
  config: CollectorConfig;
  /** Rows in the collector's own tables (evidence and outbox), to prove a refusal stored nothing. */
  counts: () => Promise<{ evidence: number; outbox: number }>;
  dispose: () => Promise<void>;
}

/** The collector app (no workers, never listening) on a database and queue prefix of its own. */
export async function startCollectorApp(options: { bodyLimitBytes?: number } = {}): Promise<CollectorFixture> {
  const database: TestDatabase = await createTestDatabase('evidence-collector');
  const prefix = testQueuePrefix('collector');
  const config = loadCollectorConfig(collectorEnv(database.url, prefix));
  const infra = await openInfrastructure('evidence-collector', config);
  const app = await buildApp({
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    assessmentUrl: config.ASSESSMENT_URL,
    bodyLimitBytes: options.bodyLimitBytes ?? config.BODY_LIMIT_BYTES,
  });
  await app.ready();
  return {
    app,
    infra,
    config,
    counts: async () => {
      const { rows } = await sql<{ evidence: number; outbox: number }>`
        select (select count(*) from evidence)::int as evidence, (select count(*) from outbox)::int as outbox`.execute(infra.db);
      return rows[0]!;
    },
    dispose: async () => {
      await app.close();
      await infra.close();
      await deleteRedisPrefix(prefix);
      await database.drop();
    },
  };
}

export function performanceEvidence(toe = 'credit-scoring', accuracy = 0.95) {
  return {
    toe,
    subject: [{ name: 'model.onnx', digest: { sha256: 'a'.repeat(64) } }],
    kind: 'performance',
    producer: { tool: 'pytest-eval', toolVersion: '1.0.0', pipelineRunId: `run-${accuracy}` },
    observedAt: '2026-01-15T10:00:00.000Z',
    context: { dataset: 'holdout', split: 'test' },
    measurements: [{ name: 'accuracy', value: accuracy }],
  };
}
