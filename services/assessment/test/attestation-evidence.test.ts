import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPE } from '@cabc/contracts';
import {
  attestationSigner,
  expectProblem,
  signAttestation,
  slsaProvenanceV1,
  waitFor,
  type AttestationSigner,
} from '@cabc/testing';
import { dryRunOf } from './support/dry-run.ts';
import { call, toeInput } from './support/api.ts';
import { accuracyScope } from './support/seed.ts';
import { signedEnvelope, startAssessmentApp, type AssessmentFixture } from './support/assessment-app.ts';

const MODEL_SHA256 = 'b'.repeat(64); // the model toeInput() names
const samples = path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs/in-toto');
const BUILDER = 'https://github.com/acme/ci/.github/workflows/train.yml@refs/tags/v1';
const REPOSITORY = 'https://github.com/acme/credit-model';

describe('third-party in-toto attestations relayed as provenance evidence (issue 17.4)', () => {
  let fixture: AssessmentFixture;
  let toeId: string;
  let listed: AttestationSigner;
  const vsaKey = createPublicKey(readFileSync(path.join(samples, 'vsa_signing_public_key.pem'))).export({
    format: 'jwk',
  });
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    listed = attestationSigner();
    const auditee = await fixture.token('auditee');
    const auditor = await fixture.token('auditor');
    toeId = (await call(fixture.app, 'POST', '/v1/toes', auditee, toeInput('attested'))).body.id;
    const document = {
      ...accuracyScope([fixture.collectorKey]),
      requirements: [
        {
          id: 'REQ-BUILD',
          title: 'The certified model was built by our CI from our repository',
          severity: 'high',
          rule: { type: 'provenance', build: { builder: BUILDER, repository: REPOSITORY, producer: 'acme-ci' } },
        },
      ],
      measurements: [],
      attestationKeys: [
        { producer: 'acme-ci', jwk: listed.jwk },
        { producer: 'bcid-verifier', jwk: vsaKey },
      ],
    };
    const created = await call(fixture.app, 'POST', `/v1/toes/${toeId}/scopes`, auditee, { document });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await call(fixture.app, 'POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    expect((await call(fixture.app, 'POST', `/v1/toes/${toeId}/scopes/1/approve`, auditor, {})).status).toBe(200);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  /** The collector's statement relaying third-party envelopes, signed by the collector key the scope trusts. */
  const relaying = (envelopes: { mediaType?: string; envelope: unknown }[], subject = MODEL_SHA256) =>
    signedEnvelope(
      {
        _type: IN_TOTO_STATEMENT_TYPE,
        subject: [{ name: 'model.onnx', digest: { sha256: subject } }],
        predicateType: EVIDENCE_PREDICATE_TYPE,
        predicate: {
          toe: toeId,
          kind: 'provenance',
          producer: { tool: 'slsa-provenance', adapter: '@cabc/adapters/in-toto-attestation@1' },
          observedAt: new Date(Date.now() - 60_000).toISOString(),
          context: {},
          measurements: [],
          checks: [],
          attestations: envelopes.map((item) => ({ mediaType: 'application/vnd.in-toto+json', ...item })),
          submitter: { org: 'acme', subject: 'pipeline-1', role: 'pipeline' },
        },
      },
      fixture.collectorKey,
    );
  const push = (envelope: string) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json' },
      payload: envelope,
    });
  const provenance = (signer: AttestationSigner, sha256 = MODEL_SHA256) =>
    signAttestation(
      slsaProvenanceV1({ subject: [{ name: 'model.onnx', sha256 }], builder: BUILDER, repository: REPOSITORY }),
      signer,
    );

  it('refuses provenance signed by a key the scope does not list, naming the signatures, storing nothing', async () => {
    const before = await fixture.counts();
    const problem = expectProblem(
      await push(relaying([{ envelope: provenance(attestationSigner()) }])),
      403,
      'payload.predicate.attestations.0.envelope.signatures',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/attestation-key-not-listed');
    expect(problem.detail).toMatch(/keyid [0-9a-f]{64}/);
    expect(await fixture.counts()).toEqual(before);
  });

  it('refuses a real keyless Sigstore bundle (slsa-verifier test data): no listed key signed it', async () => {
    const bundle = JSON.parse(readFileSync(path.join(samples, 'MODULE.bazel.intoto.jsonl'), 'utf8'));
    const { keyid: _none, ...signature } = bundle.dsseEnvelope.signatures[0];
    const envelope = { ...bundle.dsseEnvelope, signatures: [signature] };
    const mediaType = bundle.mediaType;
    expectProblem(
      await push(relaying([{ mediaType, envelope }])),
      403,
      'payload.predicate.attestations.0.envelope.signatures',
    );
  });

  it('refuses a statement about a subject the scope does not name, even when a listed key signed it', async () => {
    const before = await fixture.counts();
    const problem = expectProblem(
      await push(relaying([{ envelope: provenance(listed, 'e'.repeat(64)) }])),
      422,
      'payload.predicate.attestations.0.statement.subject.0.digest',
    );
    expect(problem.detail).toContain('e'.repeat(64));
    // A real verification summary: its listed P-256 key verifies the raw (r‖s) signature, but its subject is a GCE
    // image id without sha256, so it is about nothing the scope pins.
    const [line] = readFileSync(path.join(samples, 'gke-gce-pre.bcid-vsa.jsonl'), 'utf8').split('\n');
    const vsa = JSON.parse(line!);
    const { keyid: _keyid, ...vsaSignature } = vsa.signatures[0];
    const summary = expectProblem(
      await push(relaying([{ envelope: { ...vsa, signatures: [vsaSignature] } }])),
      422,
      'payload.predicate.attestations.0.statement.subject.0.digest',
    );
    expect(summary.detail).toMatch(/no sha256 digest/);
    expect(await fixture.counts()).toEqual(before);
  });

  it('refuses claims of its own beside the attestations', async () => {
    const statement = JSON.parse(
      Buffer.from(JSON.parse(relaying([{ envelope: provenance(listed) }])).payload, 'base64').toString(),
    );
    statement.predicate.measurements = [{ name: 'builder', value: BUILDER }];
    expectProblem(await push(signedEnvelope(statement, fixture.collectorKey)), 422, 'payload.predicate.measurements');
  });

  it('accepts provenance signed by a listed key, keeps the envelope, and the build requirement is met', async () => {
    const envelope = provenance(listed);
    const accepted = await push(relaying([{ envelope }]));
    expect(accepted.statusCode, accepted.body).toBe(201);
    const { evidenceId } = accepted.json();
    const auditor = await fixture.token('auditor');
    const stored = await call(fixture.app, 'GET', `/v1/evidence/${evidenceId}`, auditor);
    expect(JSON.stringify(stored.body)).toContain(envelope.signatures[0]!.sig);
    const dryRun = await waitFor('the build requirement judged', async () => {
      const answer = await dryRunOf(fixture.app, toeId, 1, auditor);
      return answer.body.result?.requirements?.[0]?.status === 'compliant' ? answer.body.result : undefined;
    });
    expect(dryRun.requirements[0].details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ property: `build:${MODEL_SHA256.slice(0, 12)}:builder`, value: BUILDER }),
        expect.objectContaining({ property: `build:${MODEL_SHA256.slice(0, 12)}:producer`, value: 'acme-ci' }),
      ]),
    );
    expect(dryRun.requirements[0].read[0]).toMatchObject({ id: evidenceId, kind: 'provenance' });
  });

  it('refuses attestation keys that are private or not keys at scope time, naming them', async () => {
    const auditee = await fixture.token('auditee');
    const other = (await call(fixture.app, 'POST', '/v1/toes', auditee, toeInput('bad-keys'))).body.id;
    const signer = attestationSigner();
    const privateJwk = signer.privateKey.export({ format: 'jwk' });
    const refused = await call(fixture.app, 'POST', `/v1/toes/${other}/scopes`, auditee, {
      document: {
        ...accuracyScope([fixture.collectorKey]),
        attestationKeys: [
          { producer: 'ci', jwk: privateJwk },
          { producer: 'ci', jwk: { kty: 'oct', k: 'c2VjcmV0' } },
        ],
      },
    });
    expect(refused.status).toBe(422);
    const fields = refused.body.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(['attestationKeys.0.jwk', 'attestationKeys.1.jwk']);
  });
});
