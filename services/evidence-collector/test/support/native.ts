import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { evidenceStatementSchema, IN_TOTO_PAYLOAD_TYPE, type EvidenceStatement } from '@cabc/contracts';
import { publicKeyFromJwk, verifyDsse } from '@cabc/crypto';
import type { Server } from '@cabc/http-kit';

/** CI checks out shared/ beside the repository. */
export const samplesDir = path.resolve(import.meta.dirname, '../../../../fixtures/tool-outputs');
export const adapterFixturesDir = path.resolve(import.meta.dirname, '../../../../packages/adapters/test/fixtures');

/** One file per adapter format: the real tool outputs in fixtures/tool-outputs, and the adapters' fixtures for the CABC generic formats. */
export const formatFiles: { format: string; file: string }[] = [
  { format: 'mlflow-run', file: path.join(samplesDir, 'mlflow-run/run_raw.json') },
  { format: 'mlflow-mlmodel', file: path.join(samplesDir, 'mlflow-mlmodel/MLmodel') },
  { format: 'evidently-legacy-report', file: path.join(samplesDir, 'evidently/report.json') },
  { format: 'evidently-legacy-test-suite', file: path.join(samplesDir, 'evidently/test_suite.json') },
  { format: 'evidently-snapshot', file: path.join(samplesDir, 'evidently/drift_report.json') },
  { format: 'great-expectations', file: path.join(samplesDir, 'great-expectations/taxi_long.json') },
  { format: 'deepchecks', file: path.join(samplesDir, 'deepchecks/deepchecks_report.json') },
  { format: 'hf-model-card', file: path.join(samplesDir, 'hf-model-card/README.md') },
  { format: 'model-card-toolkit', file: path.join(samplesDir, 'model-card-toolkit/cats_vs_dogs_v0_0_2.json') },
  { format: 'croissant', file: path.join(samplesDir, 'croissant/metadata.json') },
  { format: 'avid', file: path.join(samplesDir, 'fairness-robustness/AVID-2022-R0001.json') },
  { format: 'cabc-robustness', file: path.join(adapterFixturesDir, 'cabc-robustness.json') },
  { format: 'cabc-fairness', file: path.join(adapterFixturesDir, 'cabc-fairness.json') },
  { format: 'cabc-feature-importance', file: path.join(adapterFixturesDir, 'cabc-feature-importance.json') },
];

export const bytesOf = (file: string): Buffer => readFileSync(file);

/** A multipart/form-data body built by the platform's own FormData encoder, for `inject`. */
export async function multipart(
  fields: Record<string, string | string[]>,
  files: { name: string; bytes: Buffer; type?: string; field?: string }[],
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields))
    for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
  for (const file of files)
    form.append(
      file.field ?? 'file',
      new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }),
      file.name,
    );
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type')! },
  };
}

/** Fetches the envelope of `evidenceId`, verifies it against the collector's published JWKS and parses its statement. */
export async function verifiedStatement(
  app: Server,
  evidenceId: string,
  headers: Record<string, string>,
): Promise<{ statement: EvidenceStatement; keyid: string }> {
  const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
    keys: { kid: string }[];
  };
  const trusted = new Map(jwks.keys.map((jwk) => [jwk.kid, publicKeyFromJwk(jwk)] as const));
  const response = await app.inject({ method: 'GET', url: `/v1/evidence/${evidenceId}/envelope`, headers });
  expect(response.statusCode, response.body).toBe(200);
  const verified = verifyDsse(JSON.parse(response.body), trusted, { supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE] });
  const statement = evidenceStatementSchema.parse(JSON.parse(verified.payload.toString('utf8')));
  return { statement, keyid: verified.keyids[0]! };
}
