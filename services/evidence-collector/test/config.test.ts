import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cabc/service-kit';
import { thrownBy } from '@cabc/testing';
import { loadCollectorConfig } from '../src/config.ts';

const minimal = {
  DATABASE_URL: 'postgres://collector@db.example:5432/collector',
  REDIS_URL: 'redis://redis.example:6379',
  KEY_ENCRYPTION_SECRET: 'a-secret-of-at-least-16-chars',
  ASSESSMENT_URL: 'https://assessment.example',
  AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
};

const configErrorOf = (env: Record<string, string | undefined>) =>
  thrownBy(ConfigError, () => loadCollectorConfig(env));

describe('loadCollectorConfig', () => {
  it('parses the minimal environment with the documented defaults', () => {
    const config = loadCollectorConfig(minimal);
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8081,
      QUEUE_PREFIX: 'cabc',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
      BODY_LIMIT_BYTES: 10 * 1024 * 1024,
      RECONCILE_INTERVAL: 5_000,
      ASSESSMENT_URL: 'https://assessment.example',
      AUTH_ISSUER: 'cabc-local',
      AUTH_AUDIENCE: 'cabc-collector',
      AUTH_MAX_TOKEN_LIFETIME: 24 * 3_600_000,
      MLFLOW_POLL_INTERVAL: 60_000,
      MLFLOW_LOOKBACK: 24 * 3_600_000,
    });
    expect(config.COLLECTOR_ORG).toBeUndefined();
    expect(config.MLFLOW_TRACKING_URI).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'KEY_ENCRYPTION_SECRET', 'ASSESSMENT_URL'] as const) {
    it(`names ${variable} when it is missing`, () => {
      const error = configErrorOf({ ...minimal, [variable]: undefined });
      expect(error.message).toContain('evidence-collector');
      expect(error.message).toMatch(new RegExp(`${variable}: .*\\(not set\\)`));
      expect(error.issues).toHaveLength(1);
    });
  }

  it('names AUTH_JWKS_URL when no token issuer key is configured', () => {
    const error = configErrorOf({ ...minimal, AUTH_JWKS_URL: undefined });
    expect(error.issues).toEqual([expect.stringMatching(/^AUTH_JWKS_URL: set AUTH_JWKS_URL or AUTH_JWKS/)]);
  });

  it('turns pull collection on with MLFLOW_TRACKING_URI and names what it then needs', () => {
    const error = configErrorOf({ ...minimal, MLFLOW_TRACKING_URI: 'http://mlflow.example:5000' });
    expect(error.issues.map((issue) => issue.split(':')[0]).sort()).toEqual([
      'COLLECTOR_ORG',
      'MLFLOW_EXPERIMENT_IDS',
      'MLFLOW_TOE',
    ]);
    const config = loadCollectorConfig({
      ...minimal,
      MLFLOW_TRACKING_URI: 'http://mlflow.example:5000',
      MLFLOW_EXPERIMENT_IDS: '2, 7',
      MLFLOW_TOE: 'credit-scoring',
      MLFLOW_MODEL_DIGEST: `model.onnx@sha256:${'A'.repeat(64)}`,
      MLFLOW_POLL_INTERVAL: '30s',
      COLLECTOR_ORG: 'acme',
    });
    expect(config).toMatchObject({
      MLFLOW_EXPERIMENT_IDS: ['2', '7'],
      MLFLOW_MODEL_DIGEST: { name: 'model.onnx', digest: { sha256: 'a'.repeat(64) } },
      MLFLOW_POLL_INTERVAL: 30_000,
    });
  });

  it('names MLFLOW_MODEL_DIGEST when it is not <name>@sha256:<hex>', () => {
    const error = configErrorOf({ ...minimal, MLFLOW_MODEL_DIGEST: 'model.onnx@md5:abc' });
    expect(error.issues).toEqual([expect.stringMatching(/^MLFLOW_MODEL_DIGEST: expected <name>@sha256:/)]);
  });

  it('names every failing variable at once', () => {
    const error = configErrorOf({ ASSESSMENT_URL: minimal.ASSESSMENT_URL, AUTH_JWKS_URL: minimal.AUTH_JWKS_URL });
    expect(error.issues.map((issue) => issue.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'KEY_ENCRYPTION_SECRET',
      'REDIS_URL',
    ]);
  });

  it.each([
    ['DATABASE_URL', 'mysql://db.example/collector'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://redis.example:6379'],
    ['ASSESSMENT_URL', 'ftp://assessment.example'],
    ['ASSESSMENT_URL', 'assessment.example'],
    ['PORT', '70000'],
    ['PORT', 'eighty'],
    ['PORT', '-1'],
    ['LOG_LEVEL', 'verbose'],
    ['KEY_ENCRYPTION_SECRET', 'short'],
    ['BODY_LIMIT_BYTES', '0'],
    ['RECONCILE_INTERVAL', 'soon'],
    ['MIGRATE_ON_START', 'maybe'],
    ['QUEUE_PREFIX', 'has spaces'],
    ['COLLECTOR_ORG', 'Has Capitals'],
    ['AUTH_JWKS_URL', 'not a url'],
    ['MLFLOW_POLL_INTERVAL', 'often'],
  ])('names %s when it is invalid (%s)', (variable, value) => {
    const error = configErrorOf({ ...minimal, [variable]: value });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).not.toContain('(not set)');
  });

  it('treats an empty variable as not set: defaults apply, required ones are named', () => {
    expect(loadCollectorConfig({ ...minimal, PORT: '', LOG_LEVEL: '' })).toMatchObject({
      PORT: 8081,
      LOG_LEVEL: 'info',
    });
    const error = configErrorOf({ ...minimal, DATABASE_URL: '' });
    expect(error.issues).toEqual([expect.stringMatching(/^DATABASE_URL: .*\(not set\)$/)]);
  });

  it('parses explicit values', () => {
    const config = loadCollectorConfig({
      ...minimal,
      PORT: '0',
      RECONCILE_INTERVAL: '250ms',
      MIGRATE_ON_START: 'no',
      LOG_LEVEL: 'silent',
    });
    expect(config).toMatchObject({ PORT: 0, RECONCILE_INTERVAL: 250, MIGRATE_ON_START: false, LOG_LEVEL: 'silent' });
  });
});
