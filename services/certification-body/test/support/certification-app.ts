import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { POSTURE_CALLBACK_TYP, type PostureCallbackClaims } from '@cabc/contracts';
import { createJwtVerifier, generateSigningKey, signJwt, type SigningKey } from '@cabc/crypto';
import type { Server } from '@cabc/http-kit';
import { openInfrastructure, type Infrastructure } from '@cabc/runtime';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import { buildApp } from '../../src/app.ts';
import { loadCertificationConfig, type CertificationConfig } from '../../src/config.ts';
import { DEFAULT_DECISION_POLICY } from '../../src/domain/index.ts';
import { createCertificationRepository } from '../../src/modules/certifications/certification.repository.ts';
import { createCertificationService } from '../../src/modules/certifications/certification.service.ts';

export const TEST_SECRET = 'test-only-key-encryption-secret';

/** The minimal environment the certification body needs, trusting the given auditor keys. */
export function certificationEnv(databaseUrl: string, prefix: string, auditorKeys: SigningKey[], extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    AUDITOR_JWKS: JSON.stringify({ keys: auditorKeys.map((key) => key.publicJwk) }),
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export interface CertificationFixture {
  app: Server;
  infra: Infrastructure;
  config: CertificationConfig;
  /** The auditor key whose callbacks the app accepts. */
  auditorKey: SigningKey;
  counts: () => Promise<{ receivedCallbacks: number; certifications: number; certificates: number; certificateEvents: number }>;
  /** The received_callbacks rows, oldest first. */
  receivedCallbacks: () => Promise<{ jti: string | null; toe: string | null; outcome: string; detail: string }[]>;
  dispose: () => Promise<void>;
}

/** The certification body's app (no scheduler, never listening) on a database and queue prefix of its own. */
export async function startCertificationApp(options: { bodyLimitBytes?: number } = {}): Promise<CertificationFixture> {
  const database: TestDatabase = await createTestDatabase('certification-body');
  const prefix = testQueuePrefix('certification');
  const auditorKey = await generateSigningKey();
  const config = loadCertificationConfig(certificationEnv(database.url, prefix, [auditorKey]));
  const infra = await openInfrastructure('certification-body', config);
  const certifications = createCertificationRepository(infra.db);
  const app = await buildApp({
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    verifyAuditorJwt: createJwtVerifier({ jwks: { keys: [{ ...auditorKey.publicJwk }] } }),
    auditorIssuer: config.AUDITOR_ISSUER,
    callbackAudience: config.CALLBACK_AUDIENCE,
    callbackMaxAgeMs: config.CALLBACK_MAX_AGE,
    certifications,
    certification: createCertificationService({
      certifications,
      keys: infra.keys,
      policy: DEFAULT_DECISION_POLICY,
      certificateIssuer: config.CERTIFICATE_ISSUER,
    }),
    bodyLimitBytes: options.bodyLimitBytes ?? config.BODY_LIMIT_BYTES,
  });
  await app.ready();
  return {
    app,
    infra,
    config,
    auditorKey,
    counts: async () => {
      const { rows } = await sql<{ receivedCallbacks: number; certifications: number; certificates: number; certificateEvents: number }>`
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
    dispose: async () => {
      await app.close();
      await infra.close();
      await deleteRedisPrefix(prefix);
      await database.drop();
    },
  };
}

/** Claims of a posture callback as the assessment service sends them. */
export function postureClaims(overrides: Partial<PostureCallbackClaims> = {}): PostureCallbackClaims {
  return {
    iss: 'cabc-assessment',
    aud: 'certification-body',
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    type: 'posture.changed',
    toe: 'credit-scoring',
    scopeVersion: null,
    sequence: 1,
    assessmentId: randomUUID(),
    posture: 'compliant',
    previousPosture: null,
    criticalFailed: false,
    assessedAt: new Date().toISOString(),
    changes: [],
    ...overrides,
  };
}

/** A compact JWS over `claims` (any object), signed by `key` with the posture callback `typ` unless told otherwise. */
export function signedCallback(claims: Record<string, unknown>, key: SigningKey, typ = POSTURE_CALLBACK_TYP): Promise<string> {
  return signJwt(claims, key, { typ });
}
