import { execFile } from 'node:child_process';
import path from 'node:path';
import { verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFromJwk } from '@cabc/crypto';
import { certifyToe } from '@cabc/platform';
import { waitFor } from '@cabc/testing';
import { startTestPlatform } from '../../../apps/platform/test/platform-fixture.ts';
import type { PushReport } from '../src/commands/evidence-push.ts';

const cli = path.resolve(import.meta.dirname, '../bin/cabc');
const samplesDir = path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs');
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

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
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

/** An EdDSA JWS checked against a JWKS with node:crypto: its header and claims when the signature holds. */
function verifyJws(token: string, jwks: { keys: { kid: string }[] }): { header: any; claims: any } {
  const [header, claims, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  const jwk = jwks.keys.find((key) => key.kid === decoded.kid);
  expect(jwk, `a published key ${decoded.kid}`).toBeDefined();
  expect(
    verify(null, Buffer.from(`${header}.${claims}`), publicKeyFromJwk(jwk), Buffer.from(signature, 'base64url')),
  ).toBe(true);
  return { header: decoded, claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) };
}

async function getJson(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

describe('every sample file through the CLI arrives verified at the assessment service', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  it('pushes the samples, and each statement is delivered, verified, stored and receipted by the auditor', async () => {
    const { toeId, tokens } = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
    const model = `model.onnx@sha256:${'9'.repeat(64)}`;
    const result = await run(
      [
        'evidence',
        'push',
        ...sampleDirs.map((dir) => path.join(samplesDir, dir)),
        '--toe',
        toeId,
        '--model',
        model,
        '--collector',
        platform.urls.collector,
        '--json',
      ],
      { CABC_TOKEN: tokens.pipeline },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PushReport;
    expect(report.summary).toMatchObject({ files: report.summary.pushed, rejected: 0 });
    expect(report.summary.pushed).toBeGreaterThanOrEqual(17);
    const items = report.files.flatMap((file) =>
      file.evidence!.map((item) => ({ ...item, file: file.path, format: file.format })),
    );

    const auditorJwks = (await (await fetch(`${platform.urls.assessment}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    for (const item of items) {
      const delivered = await waitFor(`delivery of ${item.kind} from ${path.basename(item.file)}`, async () => {
        const view = await getJson(`${platform.urls.collector}/v1/evidence/${item.id}`, tokens.pipeline);
        if (view.body.delivery.status === 'rejected') throw new Error(`rejected: ${view.body.delivery.lastError}`);
        return view.body.delivery.status === 'delivered' ? view.body : undefined;
      });
      const receipt = delivered.delivery.receipt;
      expect(receipt.envelopeSha256).toBe(item.envelopeSha256);
      // The auditor's signed receipt, and the evidence as the assessment service keeps it.
      const { header, claims } = verifyJws(receipt.receipt, auditorJwks);
      expect(header.typ).toBe('cabc-receipt+jwt');
      expect(claims).toMatchObject({ envelopeSha256: item.envelopeSha256, toe: toeId });
      const stored = await getJson(`${platform.urls.assessment}/v1/evidence/${receipt.evidenceId}`, tokens.auditor);
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({
        envelopeSha256: item.envelopeSha256,
        kind: item.kind,
        predicate: { toe: toeId, raw: { digest: { sha256: item.rawSha256 } } },
      });
    }
    expect(new Set(items.map((item) => item.format)).size).toBe(11);
  }, 60_000);
});
