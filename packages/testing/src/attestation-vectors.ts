import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * Test vectors for third-party in-toto attestations, made with keys of the test's own: SLSA provenance v1 as
 * slsa-github-generator and other builders write it (https://slsa.dev/spec/v1.0/provenance), signed in DSSE the way
 * cosign and securesystemslib sign (ECDSA P-256 with an ASN.1 DER signature, or Ed25519).
 */
export interface AttestationSigner {
  /** The public JWK, as a scope's `attestationKeys[].jwk` lists it. */
  jwk: Record<string, unknown>;
  privateKey: KeyObject;
  /** A keyid as third-party tools write it (not our JWK thumbprint: the verifier must cope). */
  keyid: string;
}

export function attestationSigner(type: 'ec-p256' | 'ed25519' = 'ec-p256'): AttestationSigner {
  const { privateKey, publicKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const keyid = createHash('sha256').update(JSON.stringify(jwk)).digest('hex');
  return { jwk, privateKey, keyid };
}

export function slsaProvenanceV1(options: {
  subject: { name: string; sha256: string }[];
  builder: string;
  repository: string;
  commit?: string;
  finishedOn?: string;
}) {
  const commit = options.commit ?? '8f70009fde0c94ade6ce2a054b94718c819126ec';
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: options.subject.map((subject) => ({ name: subject.name, digest: { sha256: subject.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: { ref: 'refs/heads/main', repository: options.repository, path: '.github/workflows/train.yml' },
        },
        internalParameters: { github: { event_name: 'push', runner_environment: 'github-hosted' } },
        resolvedDependencies: [{ uri: `git+${options.repository}@refs/heads/main`, digest: { gitCommit: commit } }],
      },
      runDetails: {
        builder: { id: options.builder },
        metadata: {
          invocationId: `${options.repository}/actions/runs/1/attempts/1`,
          startedOn: '2026-12-01T08:00:00Z',
          finishedOn: options.finishedOn ?? '2026-12-01T08:30:00Z',
        },
      },
    },
  };
}

export function inTotoTestResult(subject: { name: string; sha256: string }, result: 'PASSED' | 'FAILED') {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: subject.name, digest: { sha256: subject.sha256 } }],
    predicateType: 'https://in-toto.io/attestation/test-result/v0.1',
    predicate: {
      result,
      configuration: [{ name: 'pytest.ini', digest: { sha256: 'f'.repeat(64) } }],
      passedTests: ['test_accuracy'],
      warnedTests: [],
      failedTests: result === 'FAILED' ? ['test_fairness'] : [],
    },
  };
}

const pae = (payloadType: string, payload: Buffer) =>
  Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `, 'utf8'),
    payload,
  ]);

/** A DSSE envelope over the statement, signed by `signer` (ECDSA: DER, as cosign writes it). */
export function signAttestation(statement: unknown, signer: AttestationSigner) {
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const algorithm = signer.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  const sig = sign(algorithm, pae(payloadType, payload), signer.privateKey);
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: signer.keyid, sig: sig.toString('base64') }],
  };
}

/** The `.intoto.jsonl` form: one envelope per line. */
export const intotoJsonl = (envelopes: unknown[]) => `${envelopes.map((e) => JSON.stringify(e)).join('\n')}\n`;
