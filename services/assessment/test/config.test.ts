import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cabc/service-kit';
import { thrownBy } from '@cabc/testing';
import { loadAssessmentConfig } from '../src/config.ts';

const issuerJwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), kid: 'issuer-key' }] });

const minimal = {
  DATABASE_URL: 'postgres://auditor@db.example:5432/assessment',
  REDIS_URL: 'redis://redis.example:6379',
  KEY_ENCRYPTION_SECRET: 'a-secret-of-at-least-16-chars',
  CERTIFICATION_BODY_URL: 'https://cb.example',
  AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
};

const configErrorOf = (env: Record<string, string | undefined>) =>
  thrownBy(ConfigError, () => loadAssessmentConfig(env));

describe('loadAssessmentConfig', () => {
  it('parses the minimal environment with the documented defaults', () => {
    const config = loadAssessmentConfig(minimal);
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8082,
      QUEUE_PREFIX: 'cabc',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
      BODY_LIMIT_BYTES: 10 * 1024 * 1024,
      RECONCILE_INTERVAL: 5_000,
      MAX_FUTURE_SKEW: 5 * 60_000,
      AUDITOR_ISSUER: 'cabc-assessment',
      CALLBACK_AUDIENCE: 'certification-body',
      AUTH_ISSUER: 'cabc-local',
      AUTH_AUDIENCE: 'cabc-assessment',
      AUTH_MAX_TOKEN_LIFETIME: 24 * 3_600_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts the token issuer keys inline instead of a URL', () => {
    const { AUTH_JWKS_URL: _url, ...withoutUrl } = minimal;
    expect(loadAssessmentConfig({ ...withoutUrl, AUTH_JWKS: issuerJwks }).AUTH_JWKS?.keys[0]?.kid).toBe('issuer-key');
  });

  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'KEY_ENCRYPTION_SECRET', 'CERTIFICATION_BODY_URL'] as const) {
    it(`names ${variable} when it is missing`, () => {
      const error = configErrorOf({ ...minimal, [variable]: undefined });
      expect(error.message).toContain('assessment');
      expect(error.issues).toEqual([expect.stringMatching(new RegExp(`^${variable}: .*\\(not set\\)$`))]);
    });
  }

  it('names AUTH_JWKS_URL (and the alternative) when no token issuer keys are configured', () => {
    const error = configErrorOf({ ...minimal, AUTH_JWKS_URL: undefined });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^AUTH_JWKS_URL: .*AUTH_JWKS\b/);
  });

  it('names every failing variable at once, the missing issuer keys included', () => {
    const error = configErrorOf({});
    expect(error.issues.map((issue) => issue.split(':')[0]).sort()).toEqual([
      'AUTH_JWKS_URL',
      'CERTIFICATION_BODY_URL',
      'DATABASE_URL',
      'KEY_ENCRYPTION_SECRET',
      'REDIS_URL',
    ]);
  });

  it.each([
    ['DATABASE_URL', 'redis://db.example/assessment'],
    ['REDIS_URL', 'postgres://redis.example'],
    ['CERTIFICATION_BODY_URL', 'ftp://cb.example'],
    ['AUTH_JWKS_URL', 'not a url'],
    ['AUTH_JWKS', '{not json'],
    ['AUTH_JWKS', '{"keys":[]}'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['MAX_FUTURE_SKEW', 'five minutes'],
  ])('names %s when it is invalid (%s)', (variable, value) => {
    const error = configErrorOf({ ...minimal, [variable]: value });
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(issue).toMatch(new RegExp(`^${variable}(\\.|: )`));
  });
});
