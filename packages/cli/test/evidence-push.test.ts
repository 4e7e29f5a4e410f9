import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@cabc/auth';
import { evidenceStatementSchema, IN_TOTO_PAYLOAD_TYPE } from '@cabc/contracts';
import { generateSigningKey, publicKeyFromJwk, verifyDsse, type SigningKey } from '@cabc/crypto';
import { loadCollectorConfig } from '@cabc/evidence-collector/config';
import { startCollector, type RunningCollector } from '@cabc/evidence-collector/service';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import type { PushReport } from '../src/commands/evidence-push.ts';

const cli = path.resolve(import.meta.dirname, '../bin/cabc');
const samplesDir = path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs');
/** Every sample ML-tool output (dsse-vectors and oscal-ar are not evidence formats). */
const sampleDirs = [
  'croissant',
  'deepchecks',
  'evidently',
  'fairness-robustness',
  'great-expectations',
  'hf-model-card',
  'mlflow-mlmodel',
  'mlflow-run',
  'model-card-toolkit',
];
const MODEL = `model.onnx@sha256:${'f'.repeat(64)}`;

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('cabc evidence push against a running collector', () => {
  let database: TestDatabase;
  let prefix: string;
  let collector: RunningCollector;
  let issuer: SigningKey;
  let token: string;
  let work: string;

  beforeAll(async () => {
    database = await createTestDatabase('evidence-collector');
    prefix = testQueuePrefix('cli-push');
    issuer = await generateSigningKey();
    collector = await startCollector(
      loadCollectorConfig({
        DATABASE_URL: database.url,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: prefix,
        KEY_ENCRYPTION_SECRET: 'test-only-key-encryption-secret',
        ASSESSMENT_URL: 'http://127.0.0.1:1',
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'silent',
        PORT: '0',
        COLLECTOR_ORG: 'acme',
        AUTH_ISSUER: 'cabc-test',
        AUTH_JWKS: JSON.stringify({ keys: [issuer.publicJwk] }),
      }),
    );
    token = await mintToken({
      issuer: 'cabc-test',
      audience: 'cabc-collector',
      subject: 'ci',
      org: 'acme',
      role: 'pipeline',
      ttlSeconds: 600,
      key: issuer,
    });
    work = mkdtempSync(path.join(tmpdir(), 'cabc-push-'));
  });
  afterAll(async () => {
    await collector?.close();
    await deleteRedisPrefix(prefix);
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  const api = async (url: string) => {
    const response = await fetch(`${collector.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('pushes every sample file (directories walked, formats detected) and prints one JSON report', async () => {
    const dirs = sampleDirs.map((dir) => path.join(samplesDir, dir));
    const result = await run(
      [
        'evidence',
        'push',
        ...dirs,
        '--toe',
        'credit-scoring',
        '--model',
        MODEL,
        '--collector',
        collector.url,
        '--json',
        '--run-id',
        'ci-1',
      ],
      {
        CABC_TOKEN: token,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PushReport;
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({ files: 18, pushed: 18, rejected: 0, skipped: 0 });
    expect(Object.fromEntries(report.files.map((file) => [path.relative(samplesDir, file.path), file.format]))).toEqual(
      {
        'croissant/metadata.json': 'croissant',
        'deepchecks/deepchecks_report.json': 'deepchecks',
        'evidently/breast_cancer_0.7.23.json': 'evidently-snapshot',
        'evidently/breast_cancer_drifted_0.7.23.json': 'evidently-snapshot',
        'evidently/drift_report.json': 'evidently-snapshot',
        'evidently/report.json': 'evidently-legacy-report',
        'evidently/test_suite.json': 'evidently-legacy-test-suite',
        'fairness-robustness/AVID-2022-R0001.json': 'avid',
        'great-expectations/breast_cancer_1.24.1.json': 'great-expectations',
        'great-expectations/breast_cancer_failing_1.24.1.json': 'great-expectations',
        'great-expectations/taxi_long.json': 'great-expectations',
        'hf-model-card/README.md': 'hf-model-card',
        'hf-model-card/Dolphin2.1-OpenOrca-7B_README.md': 'hf-model-card',
        'mlflow-mlmodel/3.17.2/MLmodel': 'mlflow-mlmodel',
        'mlflow-mlmodel/MLmodel': 'mlflow-mlmodel',
        'mlflow-run/breast_cancer_run_3.17.2.json': 'mlflow-run',
        'mlflow-run/run_raw.json': 'mlflow-run',
        'model-card-toolkit/cats_vs_dogs_v0_0_2.json': 'model-card-toolkit',
      } satisfies Record<string, string>,
    );
    expect(report.summary.evidence).toBe(report.files.reduce((sum, file) => sum + file.evidence!.length, 0));

    // Every evidence is at the collector, signed by its published key, with the file's digest as its raw reference.
    const jwks = (await (await fetch(`${collector.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    const trusted = new Map(jwks.keys.map((jwk) => [jwk.kid, publicKeyFromJwk(jwk)] as const));
    for (const file of report.files) {
      for (const item of file.evidence!) {
        expect(item.rawSha256).toBe(file.sha256);
        const envelope = await fetch(`${collector.url}/v1/evidence/${item.id}/envelope`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const verified = verifyDsse((await envelope.json()) as any, trusted, {
          supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
        });
        const statement = evidenceStatementSchema.parse(JSON.parse(verified.payload.toString('utf8')));
        expect(statement.predicate.toe).toBe('credit-scoring');
        expect(statement.predicate.raw?.digest.sha256).toBe(file.sha256);
      }
    }
    expect((await api('/v1/evidence?limit=200')).body.items).toHaveLength(report.summary.evidence);

    // The same run pushed again (a retried CI step) stores nothing new: same Idempotency-Keys, same answers.
    const again = await run(
      [
        'evidence',
        'push',
        ...dirs,
        '--toe',
        'credit-scoring',
        '--model',
        MODEL,
        '--collector',
        collector.url,
        '--json',
        '--run-id',
        'ci-1',
      ],
      {
        CABC_TOKEN: token,
      },
    );
    expect(again.code, again.stderr).toBe(0);
    const repeated = JSON.parse(again.stdout) as PushReport;
    expect(repeated.files.map((file) => file.httpStatus)).toEqual(report.files.map(() => 200));
    expect(repeated.files.map((file) => file.submissionId)).toEqual(report.files.map((file) => file.submissionId));
    expect((await api('/v1/evidence?limit=200')).body.items).toHaveLength(report.summary.evidence);
  });

  it('exits non-zero when the collector rejects a file, naming why in the report', async () => {
    const result = await run(
      [
        'evidence',
        'push',
        path.join(samplesDir, 'mlflow-run/run_raw.json'),
        path.join(samplesDir, 'croissant/metadata.json'),
        '--toe',
        'credit-scoring',
        '--collector',
        collector.url,
        '--json',
      ],
      { CABC_TOKEN: token },
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as PushReport;
    expect(report.ok).toBe(false);
    expect(report.summary).toMatchObject({ files: 2, pushed: 1, rejected: 1 });
    // The MLflow run names no model digest and none was given: 422 naming subject. Croissant carries its own digests.
    const rejected = report.files.find((file) => file.status === 'rejected')!;
    expect(rejected).toMatchObject({
      format: 'mlflow-run',
      httpStatus: 422,
      problem: { errors: [{ field: 'subject' }] },
    });
  });

  it('rejects a named file of no known format, skips one found in a directory with a warning', async () => {
    const dir = path.join(work, 'outputs');
    mkdirSync(dir);
    copyFileSync(path.join(samplesDir, 'mlflow-run/run_raw.json'), path.join(dir, 'run_raw.json'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not evidence\n');
    writeFileSync(path.join(dir, '.hidden.json'), '{}');
    const bad = path.join(work, 'broken.json');
    writeFileSync(bad, '{"run": {"info": ');

    const skipped = await run([
      'evidence',
      'push',
      dir,
      '--toe',
      't',
      '--model',
      MODEL,
      '--collector',
      collector.url,
      '--token',
      token,
    ]);
    expect(skipped.code, skipped.stdout + skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain('notes.txt: skipped');
    expect(skipped.stdout).toMatch(/✓ .*run_raw\.json \(mlflow-run\) → 2 evidence/);
    expect(skipped.stdout).toMatch(/^pushed 1 of 2 file\(s\), 2 evidence, ToE t/m);
    expect(skipped.stdout).not.toContain('\u001b['); // no progress bar when stdout is not a terminal

    const rejected = await run([
      'evidence',
      'push',
      bad,
      dir,
      '--toe',
      't',
      '--model',
      MODEL,
      '--collector',
      collector.url,
      '--token',
      token,
    ]);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/✗ .*broken\.json: no known evidence format/);
    expect(rejected.stdout).toMatch(/^FAILED: 1 of 3 file\(s\)/m);
  });

  it('exits non-zero with a token the collector refuses, and without a token', async () => {
    const wrongRole = await mintToken({
      issuer: 'cabc-test',
      audience: 'cabc-collector',
      subject: 'x',
      org: 'acme',
      role: 'auditor',
      ttlSeconds: 600,
      key: issuer,
    });
    const files = [path.join(samplesDir, 'mlflow-run'), path.join(samplesDir, 'croissant')];
    const refused = await run(
      [
        'evidence',
        'push',
        ...files,
        '--toe',
        't',
        '--model',
        MODEL,
        '--collector',
        collector.url,
        '--json',
        '--concurrency',
        '1',
      ],
      { CABC_TOKEN: wrongRole },
    );
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout) as PushReport;
    expect(report.files[0]).toMatchObject({ status: 'rejected', httpStatus: 403 });
    expect(report.files[1]).toMatchObject({ status: 'rejected', reason: expect.stringContaining('not sent') });

    const missing = await run(['evidence', 'push', ...files, '--toe', 't', '--collector', collector.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CABC_TOKEN');
  });

  it('exits non-zero when the collector cannot be reached', async () => {
    const result = await run(
      [
        'evidence',
        'push',
        path.join(samplesDir, 'croissant'),
        '--toe',
        't',
        '--collector',
        'http://127.0.0.1:1',
        '--json',
      ],
      { CABC_TOKEN: token },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).files[0].reason).toContain('did not answer');
  }, 30_000);
});
