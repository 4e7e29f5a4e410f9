import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cabc/service-kit';
import { thrownBy } from '@cabc/testing';
import { auditorLedgerUrlOf, loadCertificationConfig } from '../src/config.ts';

const minimal = {
  DATABASE_URL: 'postgresql://cb@db.example:5432/certification',
  REDIS_URL: 'rediss://redis.example:6380',
  KEY_ENCRYPTION_SECRET: 'a-secret-of-at-least-16-chars',
  AUDITOR_JWKS_URL: 'https://auditor.example/.well-known/jwks.json',
  AUTH_JWKS_URL: 'https://login.example/.well-known/jwks.json',
};

const configErrorOf = (env: Record<string, string | undefined>) =>
  thrownBy(ConfigError, () => loadCertificationConfig(env));

describe('loadCertificationConfig', () => {
  it('parses the minimal environment with the documented defaults', () => {
    const config = loadCertificationConfig(minimal);
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8083,
      QUEUE_PREFIX: 'cabc',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
      BODY_LIMIT_BYTES: 10 * 1024 * 1024,
      AUDITOR_ISSUER: 'cabc-assessment',
      CALLBACK_AUDIENCE: 'certification-body',
      CALLBACK_MAX_AGE: 7 * 86_400_000,
      CALLBACK_CLOCK_TOLERANCE: 60_000,
      AUDITOR_LEDGER_CHECK: true,
      CERTIFICATE_ISSUER: 'cabc-certification-body',
      CERTIFICATE_VALIDITY: 365 * 86_400_000,
      WEBHOOK_ALLOW_LOOPBACK: false,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts the auditor keys inline instead of a URL', () => {
    const { AUDITOR_JWKS_URL: _url, ...withoutUrl } = minimal;
    const jwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), kid: 'auditor-key' }] });
    expect(loadCertificationConfig({ ...withoutUrl, AUDITOR_JWKS: jwks }).AUDITOR_JWKS?.keys[0]?.kid).toBe(
      'auditor-key',
    );
  });

  it("cross-checks the auditor's ledger beside its JWKS URL unless told where, or told not to", () => {
    expect(auditorLedgerUrlOf(loadCertificationConfig(minimal))).toBe('https://auditor.example/');
    expect(
      auditorLedgerUrlOf(loadCertificationConfig({ ...minimal, AUDITOR_LEDGER_URL: 'https://ledger.example' })),
    ).toBe('https://ledger.example');
    expect(auditorLedgerUrlOf(loadCertificationConfig({ ...minimal, AUDITOR_LEDGER_CHECK: 'false' }))).toBeUndefined();
    const { AUDITOR_JWKS_URL: _url, ...inline } = minimal;
    const jwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), kid: 'auditor-key' }] });
    expect(auditorLedgerUrlOf(loadCertificationConfig({ ...inline, AUDITOR_JWKS: jwks }))).toBeUndefined();
  });

  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'KEY_ENCRYPTION_SECRET'] as const) {
    it(`names ${variable} when it is missing`, () => {
      const error = configErrorOf({ ...minimal, [variable]: undefined });
      expect(error.message).toContain('certification-body');
      expect(error.issues).toEqual([expect.stringMatching(new RegExp(`^${variable}: .*\\(not set\\)$`))]);
    });
  }

  it('names AUDITOR_JWKS_URL (and the alternative) when no auditor keys are configured', () => {
    const error = configErrorOf({ ...minimal, AUDITOR_JWKS_URL: undefined });
    expect(error.issues).toEqual([expect.stringMatching(/^AUDITOR_JWKS_URL: .*AUDITOR_JWKS\b/)]);
  });

  it('names every failing variable at once, the missing auditor keys included', () => {
    const error = configErrorOf({ PORT: 'http' });
    expect(error.issues.map((issue) => issue.split(':')[0]).sort()).toEqual([
      'AUDITOR_JWKS_URL',
      'AUTH_JWKS_URL',
      'DATABASE_URL',
      'KEY_ENCRYPTION_SECRET',
      'PORT',
      'REDIS_URL',
    ]);
  });

  it.each([
    ['DATABASE_URL', 'https://db.example'],
    ['REDIS_URL', 'redis//missing-colon'],
    ['AUDITOR_JWKS_URL', 'file:///etc/jwks.json'],
    ['AUDITOR_JWKS', '[]'],
    ['PORT', '99999'],
    ['CALLBACK_MAX_AGE', '7 days'],
    ['CERTIFICATE_VALIDITY', '1y'],
  ])('names %s when it is invalid (%s)', (variable, value) => {
    const error = configErrorOf({ ...minimal, [variable]: value });
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(issue).toMatch(new RegExp(`^${variable}(\\.|: )`));
  });
});
