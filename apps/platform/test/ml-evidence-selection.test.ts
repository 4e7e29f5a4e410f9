import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestationSigner,
  inTotoTestResult,
  intotoJsonl,
  signAttestation,
  slsaProvenanceV1,
  waitFor,
} from '@cabc/testing';
import { certifyToe, type CertifiedToe } from '../src/index.ts';
import { getJson, postJson, startTestPlatform } from './platform-fixture.ts';

const MODEL = { name: 'model.onnx', sha256: '7'.repeat(64) };
const card = readFileSync(
  path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs/hf-model-card/Dolphin2.1-OpenOrca-7B_README.md'),
);
const BUILDER = 'https://github.com/acme/ci/.github/workflows/train.yml@refs/tags/v1';
const REPOSITORY = 'https://github.com/acme/credit-model';

describe('a pipeline as ML teams run it, through the platform', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  const pushFile = async (toe: CertifiedToe, bytes: Buffer, filename: string) => {
    const query = new URLSearchParams({ toe: toe.toeId, model: `${MODEL.name}@sha256:${MODEL.sha256}`, filename });
    const response = await fetch(`${platform.urls.collector}/v1/evidence?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${toe.tokens.pipeline}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as { evidence: { id: string }[] };
  };
  const deliveryOf = (toe: CertifiedToe, id: string) =>
    waitFor(`delivery of ${id}`, async () => {
      const view = await getJson(`${platform.urls.collector}/v1/evidence/${id}`, toe.tokens.pipeline);
      return view.body.delivery.status === 'pending' ? undefined : view.body.delivery;
    });
  const issuedCertificate = (toe: CertifiedToe) =>
    waitFor('an issued certificate', async () => {
      const list = await getJson(
        `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
        toe.tokens.auditeeAtCertificationBody,
      );
      return list.body.items?.find((item: { state: string }) => item.state === 'issued');
    });

  it('keeps an accuracy requirement compliant when a model card reporting acc_norm comes beside the evaluation', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'card-and-eval', modelSha256: MODEL.sha256 });
    // The Hugging Face card (newest performance evidence, observed now) reports acc_norm / acc, never accuracy.
    const pushed = await pushFile(toe, card, 'README.md');
    const evaluation = await postJson(
      `${platform.urls.collector}/v1/evidence`,
      {
        toe: toe.toeId,
        kind: 'performance',
        subject: [{ name: MODEL.name, digest: { sha256: MODEL.sha256 } }],
        producer: { tool: 'eval-job', pipelineRunId: 'run-1' },
        observedAt: new Date(Date.now() - 3_600_000).toISOString(),
        measurements: [{ name: 'accuracy', value: 0.95 }],
      },
      { authorization: `Bearer ${toe.tokens.pipeline}` },
    );
    expect(evaluation.status).toBe(201);
    for (const item of pushed.evidence) expect((await deliveryOf(toe, item.id)).status).toBe('delivered');
    expect((await deliveryOf(toe, evaluation.body.id)).status).toBe('delivered');

    const certificate = await issuedCertificate(toe);
    const posture = await waitFor('a compliant posture', async () => {
      const answer = await getJson(`${platform.urls.assessment}/v1/toes/${toe.toeId}/posture`, toe.tokens.auditor);
      return answer.body.posture === 'compliant' ? answer.body : undefined;
    });
    expect(posture.requirements[0]).toMatchObject({ status: 'compliant', evidenceIds: [expect.any(String)] });
    expect(posture.requirements[0].details[0]).toMatchObject({ property: 'accuracy', value: 0.95 });

    // What is certified is pinned: the certificate and its public status name the model's digest.
    const claims = JSON.parse(Buffer.from(certificate.token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims.artifacts).toEqual({ models: [MODEL], datasets: [] });
    const status = await getJson(`${platform.urls.certificationBody}/v1/status/${certificate.id}`);
    expect(status.body).toMatchObject({ status: 'good', artifacts: { models: [MODEL], datasets: [] } });

    // The dry run says what each requirement read, and which selector names no evidence ever carried.
    // The dry run is a job of the assessment's dry-run worker: 202 with where to poll.
    const started = await postJson(
      `${platform.urls.assessment}/v1/toes/${toe.toeId}/scopes/1/dry-run`,
      {},
      { authorization: `Bearer ${toe.tokens.auditor}` },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const dryRun = await waitFor('the dry run done', async () => {
      const polled = await getJson(`${platform.urls.assessment}${started.body.location}`, toe.tokens.auditor);
      return polled.status === 200 ? { body: polled.body.result } : undefined;
    });
    expect(dryRun.body.requirements[0].read).toEqual([
      expect.objectContaining({ kind: 'performance', tool: 'eval-job', measurements: ['accuracy'] }),
    ]);
    expect(dryRun.body.requirements[0].neverSeen).toEqual([]);
  });

  it('accepts a .intoto.jsonl SLSA provenance signed by a listed key and certifies on it; refuses another key', async () => {
    const ci = attestationSigner();
    const toe = await certifyToe(platform, {
      org: 'acme',
      name: 'attested-build',
      modelSha256: MODEL.sha256,
      requirements: [
        {
          id: 'REQ-BUILD',
          title: 'The certified model was built by our CI from our repository',
          severity: 'critical',
          critical: true,
          mitigates: ['R-WRONG-DECISIONS'],
          rule: { type: 'provenance', build: { builder: BUILDER, repository: REPOSITORY, producer: 'acme-ci' } },
        },
      ],
      scope: { attestationKeys: [{ producer: 'acme-ci', jwk: ci.jwk }] },
    });
    const lines = (signer: typeof ci) =>
      Buffer.from(
        intotoJsonl([
          signAttestation(slsaProvenanceV1({ subject: [MODEL], builder: BUILDER, repository: REPOSITORY }), signer),
          signAttestation(inTotoTestResult(MODEL, 'PASSED'), signer),
        ]),
      );
    const accepted = await pushFile(toe, lines(ci), 'model.intoto.jsonl');
    expect(accepted.evidence).toHaveLength(1);
    expect((await deliveryOf(toe, accepted.evidence[0]!.id)).status).toBe('delivered');
    await issuedCertificate(toe);

    // Refused with 403 (a scope version that lists the key may be awaiting approval: the collector keeps retrying).
    const forged = await pushFile(toe, lines(attestationSigner()), 'model.intoto.jsonl');
    const refused = await waitFor('the refusal of the unlisted key', async () => {
      const view = await getJson(
        `${platform.urls.collector}/v1/evidence/${forged.evidence[0]!.id}`,
        toe.tokens.pipeline,
      );
      return view.body.delivery.lastError ? view.body.delivery : undefined;
    });
    expect(refused).toMatchObject({ status: 'pending', lastError: expect.stringContaining('403') });
    const evidence = await getJson(`${platform.urls.assessment}/v1/toes/${toe.toeId}/evidence`, toe.tokens.auditor);
    expect(evidence.body.items ?? evidence.body).toHaveLength(1);
  });
});
