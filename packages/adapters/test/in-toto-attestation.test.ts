import { describe, expect, it } from 'vitest';
import { attestationSigner, inTotoTestResult, intotoJsonl, signAttestation, slsaProvenanceV1 } from '@cabc/testing';
import { adapt, detectFormat } from '../src/index.ts';
import { sampleBytes } from './helpers.ts';

const MODEL = { name: 'model.onnx', sha256: '9'.repeat(64) };
const builder =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder.yml@refs/tags/v2.1.0';

describe('in-toto attestations (DSSE, .intoto.jsonl, Sigstore bundles) as provenance evidence', () => {
  it('reads a .intoto.jsonl of several lines as one provenance evidence relaying every envelope unchanged', () => {
    const signer = attestationSigner();
    const provenance = signAttestation(
      slsaProvenanceV1({ subject: [MODEL], builder, repository: 'https://github.com/acme/credit-model' }),
      signer,
    );
    const tests = signAttestation(inTotoTestResult(MODEL, 'PASSED'), signer);
    const bytes = Buffer.from(intotoJsonl([provenance, tests]));
    expect(detectFormat({ bytes, filename: 'model.intoto.jsonl' })).toBe('in-toto-attestation');
    const { evidence } = adapt({ bytes, filename: 'model.intoto.jsonl' });
    expect(evidence).toHaveLength(1);
    const [item] = evidence;
    expect(item).toMatchObject({
      kind: 'provenance',
      producer: { tool: 'in-toto' },
      observedAt: '2026-12-01T08:30:00.000Z',
      subjects: [{ name: 'model.onnx', digest: { sha256: MODEL.sha256 } }],
      measurements: [],
      checks: [],
      raw: { mediaType: 'application/vnd.in-toto+json' },
    });
    expect(item!.attestations).toEqual([
      { mediaType: 'application/vnd.in-toto+json', envelope: provenance },
      { mediaType: 'application/vnd.in-toto+json', envelope: tests },
    ]);
  });

  it('reads a Sigstore bundle (slsa-verifier test data) as its DSSE content', () => {
    const bytes = sampleBytes('in-toto/MODULE.bazel.intoto.jsonl');
    const { format, evidence } = adapt({ bytes, filename: 'MODULE.bazel.intoto.jsonl' });
    expect(format).toBe('in-toto-attestation');
    expect(evidence[0]).toMatchObject({
      kind: 'provenance',
      producer: { tool: 'slsa-provenance' },
      subjects: [{ name: 'MODULE.bazel', digest: { sha256: expect.stringMatching(/^06ce3309/) } }],
    });
    expect(evidence[0]!.attestations![0]!.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(evidence[0]!.attestations![0]!.envelope.payloadType).toBe('application/vnd.in-toto+json');
  });

  it('keeps only keyid and sig of a signature (the certificate stays in the raw file) and reads v0.2 provenance', () => {
    const bytes = sampleBytes('in-toto/binary-linux-amd64-push-v14.2.intoto.jsonl');
    const [item] = adapt({ bytes }).evidence;
    expect(Object.keys(item!.attestations![0]!.envelope.signatures[0]!).sort()).toEqual(['sig']);
    expect(item!.subjects[0]!.name).toBe('gha_generic-binary-linux-amd64-v14.2');
  });

  it('reads a verification summary whose subject has no sha256 as evidence with no subject', () => {
    const [item] = adapt({ bytes: sampleBytes('in-toto/gke-gce-pre.bcid-vsa.jsonl') }).evidence;
    expect(item).toMatchObject({ producer: { tool: 'slsa-verification-summary' }, subjects: [] });
  });

  it('refuses an envelope whose payload is not an in-toto statement, naming it', () => {
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from('{"x":1}').toString('base64'),
      signatures: [{ sig: 'AA==' }],
    };
    expect(() => adapt({ bytes: Buffer.from(JSON.stringify(envelope)) })).toThrow(/not an in-toto statement/);
  });
});
