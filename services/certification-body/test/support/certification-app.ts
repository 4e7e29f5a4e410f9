import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { mintToken, type Role } from '@cabc/auth';
import {
  POSTURE_CALLBACK_TYP,
  SCOPE_DECISION_TYP,
  type PostureCallbackClaims,
  type ScopeDecisionClaims,
} from '@cabc/contracts';
import { generateSigningKey, signJwt, type SigningKey } from '@cabc/crypto';
import type { Server } from '@cabc/http-kit';
import { openInfrastructure, type Infrastructure, type Redis } from '@cabc/service-kit';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import { buildApp } from '../../src/app.ts';
import {
  composeCertificationBody,
  type CertificationBody,
  type CertificationBodyOptions,
} from '../../src/composition.ts';
import { loadCertificationConfig, type CertificationConfig } from '../../src/config.ts';
import type { DecisionPolicy } from '../../src/domain/index.ts';
import { startWorkers } from '../../src/workers/start-workers.ts';

export const TEST_SECRET = 'test-only-key-encryption-secret';

/** The bearer-token issuer the test certification bodies trust (AUTH_JWKS). */
export const testIssuerKey: SigningKey = await generateSigningKey();

/** A bearer token for `role` in `org`, from the test issuer. */
export function tokenFor(role: Role, org = 'acme', subject = `${role}-user@${org}`): Promise<string> {
  return mintToken({
    issuer: 'cabc-local',
    audience: 'cabc-certification-body',
    subject,
    org,
    role,
    ttlSeconds: 3600,
    key: testIssuerKey,
  });
}

export async function bearer(role: Role, org = 'acme', subject?: string): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(role, org, subject)}` };
}

/**
 * The minimal environment the certification body needs, trusting the given auditor keys (inline, unless `extra` names
 * an AUDITOR_JWKS_URL) and the test token issuer.
 */
export function certificationEnv(
  databaseUrl: string,
  prefix: string,
  auditorKeys: SigningKey[],
  extra: Record<string, string> = {},
) {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    ...(extra.AUDITOR_JWKS_URL
      ? {}
      : { AUDITOR_JWKS: JSON.stringify({ keys: auditorKeys.map((key) => key.publicJwk) }) }),
    AUTH_JWKS: JSON.stringify({ keys: [testIssuerKey.publicJwk] }),
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** A clock that runs with real time plus an offset the test moves forward (deadlines, retries and failure windows). */
export function testClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms: number) => {
      offsetMs += ms;
    },
  };
}

export interface CertificationFixture {
  app: Server;
  infra: Infrastructure;
  config: CertificationConfig;
  body: CertificationBody;
  /** The auditor key whose callbacks the app accepts. */
  auditorKey: SigningKey;
  counts: () => Promise<{
    receivedCallbacks: number;
    certifications: number;
    certificates: number;
    certificateEvents: number;
  }>;
  /** The received_callbacks rows, oldest first. */
  receivedCallbacks: () => Promise<{ jti: string | null; toe: string | null; outcome: string; detail: string }[]>;
  /** Applies due deadlines now (workers: true or not). */
  runDeadlines: () => Promise<number>;
  /** Hands due webhook deliveries to the queue now (only with workers: true). */
  reconcileWebhooks: () => Promise<number>;
  dispose: () => Promise<void>;
}

/**
 * The certification body's app (never listening) on a database and queue prefix of its own; with `workers: true`
 * the deadline scheduler and the webhook worker run too.
 */
export async function startCertificationApp(
  options: {
    bodyLimitBytes?: number;
    env?: Record<string, string>;
    now?: () => Date;
    policy?: DecisionPolicy;
    workers?: boolean;
  } = {},
): Promise<CertificationFixture> {
  const database: TestDatabase = await createTestDatabase('certification-body');
  const prefix = testQueuePrefix('certification');
  const auditorKey = await generateSigningKey();
  const config = loadCertificationConfig(
    certificationEnv(database.url, prefix, [auditorKey], {
      ...(options.bodyLimitBytes ? { BODY_LIMIT_BYTES: String(options.bodyLimitBytes) } : {}),
      ...options.env,
    }),
  );
  const infra = await openInfrastructure('certification-body', config);
  const body = composeCertificationBody(infra, config, options);
  const app = await buildApp(body);
  const workers = options.workers ? startWorkers(body) : undefined;
  await app.ready();
  return {
    app,
    infra,
    config,
    body,
    auditorKey,
    counts: async () => {
      const { rows } = await sql<{
        receivedCallbacks: number;
        certifications: number;
        certificates: number;
        certificateEvents: number;
      }>`
        select (select count(*) from received_callbacks)::int as "receivedCallbacks",
               (select count(*) from certifications)::int as certifications,
               (select count(*) from certificates)::int as certificates,
               (select count(*) from certificate_events)::int as "certificateEvents"`.execute(infra.db);
      return rows[0]!;
    },
    receivedCallbacks: async () => {
      const { rows } = await sql<{ jti: string | null; toe: string | null; outcome: string; detail: string }>`
        select jti, toe, outcome, detail from received_callbacks order by id`.execute(infra.db);
      return rows;
    },
    runDeadlines: async () => {
      let count = 0;
      const { certification } = body.services;
      for (const { id } of await certification.dueCertifications(500)) {
        if ((await certification.tick(id, `schedule:test-${randomUUID()}`))?.outcome === 'applied') count += 1;
      }
      return count;
    },
    reconcileWebhooks: async () => (workers ? workers.reconcileWebhooks() : 0),
    dispose: async () => {
      await workers?.close();
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
export async function certificationReplica(
  config: CertificationConfig,
  options: CertificationBodyOptions & { redis?: Redis } = {},
): Promise<Server> {
  const { redis, ...composition } = options;
  const infra = await openInfrastructure('certification-body', config, redis ? { redis } : {});
  return buildApp(composeCertificationBody(infra, config, composition));
}

/** Claims of a posture callback as the assessment service sends them (scope version 1, as `scopeClaims` approves, unless given). */
export function postureClaims(overrides: Partial<PostureCallbackClaims> = {}): PostureCallbackClaims {
  return {
    iss: 'cabc-assessment',
    aud: 'certification-body',
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    type: 'posture.changed',
    toe: 'credit-scoring',
    scopeVersion: 1,
    sequence: 1,
    assessmentId: randomUUID(),
    posture: 'compliant',
    previousPosture: null,
    criticalFailed: false,
    assessedAt: new Date().toISOString(),
    ledgerCheckpoint: null,
    changes: [],
    ...overrides,
  };
}

/** Claims of a scope decision as the assessment service sends them (approval of version 1 unless told otherwise). */
export function scopeClaims(overrides: Partial<ScopeDecisionClaims> = {}): ScopeDecisionClaims {
  return {
    iss: 'cabc-assessment',
    aud: 'certification-body',
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    type: 'scope.approved',
    toe: 'credit-scoring',
    org: 'acme',
    toeName: 'Credit scoring',
    scopeVersion: 1,
    scopeDigest: 'c'.repeat(64),
    decidedAt: new Date().toISOString(),
    decidedBy: 'auditor-1@audit-firm',
    comment: null,
    requirements: [
      { id: 'REQ-ACC', title: 'Accuracy at least 0.9 on the holdout set', severity: 'critical', critical: true },
      { id: 'REQ-DRIFT', title: 'No significant feature drift', severity: 'medium', critical: false },
    ],
    supersededBy: null,
    ...overrides,
  };
}

/** A compact JWS over `claims` (any object), signed by `key` with the posture callback `typ` unless told otherwise. */
export function signedCallback(
  claims: Record<string, unknown>,
  key: SigningKey,
  typ = POSTURE_CALLBACK_TYP,
): Promise<string> {
  return signJwt(claims, key, { typ });
}

export function signedScopeDecision(
  claims: Record<string, unknown>,
  key: SigningKey,
  typ = SCOPE_DECISION_TYP,
): Promise<string> {
  return signJwt(claims, key, { typ });
}

/** POSTs a compact JWS to a callback route of the injected app. */
export function postCallback(app: Server, route: 'assessment' | 'scope', token: string) {
  return app.inject({
    method: 'POST',
    url: `/v1/callbacks/${route}`,
    headers: { 'content-type': 'application/jose' },
    payload: token,
  });
}
