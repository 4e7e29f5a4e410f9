import { sql } from 'kysely';
import { mintToken, type Role } from '@cabc/auth';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import type { Server } from '@cabc/http-kit';
import { openInfrastructure, type Infrastructure, type Redis } from '@cabc/service-kit';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import { buildApp } from '../../src/app.ts';
import { composeCollector, type Collector, type CollectorOptions } from '../../src/composition.ts';
import { loadCollectorConfig, type CollectorConfig } from '../../src/config.ts';

export const TEST_SECRET = 'test-only-key-encryption-secret';
export const TEST_ORG = 'acme';

/** The bearer-token issuer of the tests: one Ed25519 key the collector trusts through AUTH_JWKS. */
export const issuer: Promise<SigningKey> = generateSigningKey();

export async function authEnv(): Promise<Record<string, string>> {
  const key = await issuer;
  return { AUTH_ISSUER: 'cabc-test', AUTH_JWKS: JSON.stringify({ keys: [key.publicJwk] }) };
}

/** A bearer token of the test issuer. */
export async function tokenFor(role: Role, org = TEST_ORG, subject = `${role}-1`): Promise<string> {
  return mintToken({ issuer: 'cabc-test', audience: 'cabc-collector', subject, org, role, ttlSeconds: 3600, key: await issuer });
}

export async function bearer(role: Role, org = TEST_ORG): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(role, org)}` };
}

/** The minimal environment the collector needs, on this test's database and queue prefix. */
export async function collectorEnv(
  databaseUrl: string,
  prefix: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    ASSESSMENT_URL: 'http://127.0.0.1:1',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
    COLLECTOR_ORG: TEST_ORG,
    ...(await authEnv()),
    ...extra,
  };
}

export interface CollectorFixture {
  app: Server;
  infra: Infrastructure;
  config: CollectorConfig;
  /** The app's composition (its services, repositories and producer). */
  collector: Collector;
  /** Rows in the collector's own tables, to prove a refusal stored nothing. */
  counts: () => Promise<{ evidence: number; outbox: number; submissions: number; raw: number }>;
  dispose: () => Promise<void>;
}

/** The collector app (no workers, never listening) on a database and queue prefix of its own. */
export async function startCollectorApp(
  options: { bodyLimitBytes?: number; env?: Record<string, string> } = {},
): Promise<CollectorFixture> {
  const database: TestDatabase = await createTestDatabase('evidence-collector');
  const prefix = testQueuePrefix('collector');
  const limit: Record<string, string> = options.bodyLimitBytes
    ? { BODY_LIMIT_BYTES: String(options.bodyLimitBytes) }
    : {};
  const config = loadCollectorConfig(await collectorEnv(database.url, prefix, { ...options.env, ...limit }));
  const infra = await openInfrastructure('evidence-collector', config);
  const collector = composeCollector(infra, config);
  const app = await buildApp(collector);
  await app.ready();
  return {
    app,
    infra,
    config,
    collector,
    counts: async () => {
      const { rows } = await sql<{ evidence: number; outbox: number; submissions: number; raw: number }>`
        select (select count(*) from evidence)::int as evidence, (select count(*) from outbox)::int as outbox,
               (select count(*) from submissions)::int as submissions, (select count(*) from raw_artifacts)::int as raw`.execute(
        infra.db,
      );
      return rows[0]!;
    },
    dispose: async () => {
      await app.close();
      await deleteRedisPrefix(prefix);
      await database.drop();
    },
  };
}

/**
 * Another instance of the app (no workers, never listening) on the same database, as another replica would run: its
 * own infrastructure and composition. Closing it closes only what it opened.
 */
export async function collectorReplica(
  config: CollectorConfig,
  options: CollectorOptions & { redis?: Redis } = {},
): Promise<Server> {
  const { redis, ...composition } = options;
  const infra = await openInfrastructure('evidence-collector', config, redis ? { redis } : {});
  return buildApp(composeCollector(infra, config, composition));
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

export const MODEL = `model.onnx@sha256:${'c'.repeat(64)}`;
