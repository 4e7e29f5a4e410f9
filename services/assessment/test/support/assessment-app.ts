import { sql } from 'kysely';
import { EVIDENCE_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE } from '@cabc/contracts';
import { mintToken, type Role } from '@cabc/auth';
import { generateSigningKey, signDsse, type SigningKey } from '@cabc/crypto';
import type { Server } from '@cabc/http-kit';
import { openInfrastructure, type Infrastructure, type Redis } from '@cabc/service-kit';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import { buildApp } from '../../src/app.ts';
import { composeAssessment, type Assessment } from '../../src/composition.ts';
import { seedApprovedToe } from './seed.ts';
import { startDryRunWorker } from '../../src/workers/dry-run-worker.ts';
import { loadAssessmentConfig, type AssessmentConfig } from '../../src/config.ts';

export const TEST_SECRET = 'test-only-key-encryption-secret';

/** The minimal environment the assessment service needs, trusting bearer tokens signed by `issuerKey`. */
export function assessmentEnv(
  databaseUrl: string,
  prefix: string,
  issuerKey: SigningKey,
  extra: Record<string, string> = {},
) {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    CERTIFICATION_BODY_URL: 'http://127.0.0.1:1',
    AUTH_JWKS: JSON.stringify({ keys: [issuerKey.publicJwk] }),
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** The environment each fixture's configuration was loaded from, so that replicas can change a variable of it. */
const environments = new WeakMap<AssessmentConfig, Record<string, string>>();
const configEnv = (config: AssessmentConfig) => {
  const env = environments.get(config);
  if (!env) throw new Error('not the configuration of an assessment fixture');
  return env;
};

/** ToE ids the fixture creates with an approved scope trusting its collector key. */
export const SEEDED_TOES = ['credit-scoring', 'toe-replayed', 'toe-lookup', 'toe-shutdown'];

/**
 * Another instance of the app (no workers, never listening) on the same database, as another replica would run: its
 * own infrastructure from `config` (changed by `env`), its own composition. Closing it closes only what it opened.
 */
export async function assessmentReplica(
  config: AssessmentConfig,
  options: { env?: Record<string, string>; redis?: Redis } = {},
): Promise<Server> {
  const replicaConfig = options.env ? loadAssessmentConfig({ ...configEnv(config), ...options.env }) : config;
  const infra = await openInfrastructure('assessment', replicaConfig, options.redis ? { redis: options.redis } : {});
  return buildApp(composeAssessment(infra, replicaConfig));
}

export interface AssessmentFixture {
  app: Server;
  infra: Infrastructure;
  config: AssessmentConfig;
  /** The app's composition (its services, repositories and producers). */
  assessment: Assessment;
  /** The collector key the seeded ToEs' approved scopes trust. */
  collectorKey: SigningKey;
  /** A bearer token from the test issuer. */
  token: (role: Role, org?: string) => Promise<string>;
  /** Rows in the service's ledger tables, to prove a refusal stored nothing. */
  counts: () => Promise<{ evidence: number; pendingEvaluations: number }>;
  /** The test database's name, to cut the service off from it (tests of work done before any database access). */
  databaseName: string;
  dispose: () => Promise<void>;
}

/**
 * The assessment app (never listening; of the workers only the dry-run worker, which dry runs need) on a database
 * and queue prefix of its own.
 */
export async function startAssessmentApp(
  options: { bodyLimitBytes?: number; env?: Record<string, string> } = {},
): Promise<AssessmentFixture> {
  const database: TestDatabase = await createTestDatabase('assessment');
  const prefix = testQueuePrefix('assessment');
  const collectorKey = await generateSigningKey();
  const issuerKey = await generateSigningKey();
  const limit: Record<string, string> = options.bodyLimitBytes
    ? { BODY_LIMIT_BYTES: String(options.bodyLimitBytes) }
    : {};
  const env = assessmentEnv(database.url, prefix, issuerKey, { ...limit, ...options.env });
  const config = loadAssessmentConfig(env);
  environments.set(config, env);
  const infra = await openInfrastructure('assessment', config);
  const assessment = composeAssessment(infra, config);
  const app = await buildApp(assessment);
  const dryRuns = startDryRunWorker(assessment);
  app.addHook('onClose', async () => {
    await dryRuns.close();
  });
  await app.ready();
  for (const toe of SEEDED_TOES) await seedApprovedToe(infra.db, toe, [collectorKey]);
  return {
    app,
    infra,
    config,
    assessment,
    collectorKey,
    databaseName: database.name,
    token: (role, org = 'acme') =>
      mintToken({
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        subject: `${role}-1`,
        org,
        role,
        ttlSeconds: 600,
        key: issuerKey,
      }),
    counts: async () => {
      const { rows } = await sql<{ evidence: number; pendingEvaluations: number }>`
        select (select count(*) from evidence)::int as evidence,
               (select count(*) from pending_evaluations)::int as "pendingEvaluations"`.execute(infra.db);
      return rows[0]!;
    },
    dispose: async () => {
      await app.close();
      await deleteRedisPrefix(prefix);
      await database.drop();
    },
  };
}

/** An in-toto statement carrying CABC evidence, as the collector would sign it. */
export function evidenceStatement(overrides: { toe?: string; accuracy?: number; observedAt?: string } = {}) {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
    predicateType: EVIDENCE_PREDICATE_TYPE,
    predicate: {
      toe: overrides.toe ?? 'credit-scoring',
      kind: 'performance',
      producer: { tool: 'pytest-eval', toolVersion: '1.0.0' },
      observedAt: overrides.observedAt ?? new Date(Date.now() - 60_000).toISOString(),
      context: { dataset: 'holdout', split: 'test' },
      measurements: [{ name: 'accuracy', value: overrides.accuracy ?? 0.95 }],
      checks: [],
      submitter: { org: 'acme', subject: 'pipeline-1', role: 'pipeline' },
    },
  };
}

/** The JSON text of a DSSE envelope over `statement` (any JSON value), signed by `key`. */
export function signedEnvelope(statement: unknown, key: SigningKey, payloadType = IN_TOTO_PAYLOAD_TYPE): string {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  return JSON.stringify(signDsse(payload, payloadType, [{ keyid: key.kid, privateKey: key.privateKey }]));
}
