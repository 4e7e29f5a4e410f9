import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DsseVerificationError, pae, signDsse, verifyDsse } from '../src/index.ts';

interface Vector {
  id: string;
  description: string;
  envelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
  trustedKeys: string[];
  threshold: number;
  supportedPayloadTypes: string[];
  pae: string;
  expect: 'accept' | 'reject';
}

const fixture = path.join(import.meta.dirname, 'fixtures/dsse-vectors/vectors.json');
const file = JSON.parse(readFileSync(fixture, 'utf8')) as {
  keys: Record<string, { algorithm: string; seed: string; public: string }>;
  vectors: Vector[];
};

/** RFC 8032 keys from their 32-byte seed (PKCS#8 wrapping of the seed), named as the vectors name them. */
function keyPair(seedHex: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
const keys = Object.fromEntries(
  Object.entries(file.keys).map(([name, key]) => [name, { ...keyPair(key.seed), publicHex: key.public }]),
);

const decode = (text: string) => Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');

describe('DSSE test vectors (secure-systems-lab/dsse) through verifyDsse', () => {
  it('has the nine vectors, accept and reject cases, with Ed25519 keys that derive from their seeds', () => {
    expect(file.vectors).toHaveLength(9);
    expect(new Set(file.vectors.map((vector) => vector.expect))).toEqual(new Set(['accept', 'reject']));
    for (const key of Object.values(keys)) {
      const raw = key.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
      expect(raw).toBe(key.publicHex);
    }
  });

  it('is the copy whose SHA-256 the provenance note records', () => {
    const recorded = /sha256 `([0-9a-f]{64})`/.exec(
      readFileSync(path.join(import.meta.dirname, 'fixtures/dsse-vectors/PROVENANCE.md'), 'utf8'),
    );
    expect(recorded?.[1]).toBe(createHash('sha256').update(readFileSync(fixture)).digest('hex'));
  });

  describe.each(file.vectors)('$id ($expect)', (vector) => {
    const trusted = new Map(vector.trustedKeys.map((name) => [name, keys[name]!.publicKey] as const));
    const verify = () =>
      verifyDsse(vector.envelope, trusted, {
        supportedPayloadTypes: vector.supportedPayloadTypes,
        threshold: vector.threshold,
      });

    it(vector.expect === 'accept' ? 'verifies' : 'is refused', () => {
      if (vector.expect === 'accept') {
        const verified = verify();
        expect(verified.payload.equals(decode(vector.envelope.payload))).toBe(true);
        expect(verified.keyids.length).toBeGreaterThanOrEqual(vector.threshold);
      } else {
        expect(verify).toThrow(DsseVerificationError);
      }
    });

    it('has the PAE our pae() computes (the payload-type swap signs another type on purpose)', () => {
      const computed = pae(vector.envelope.payloadType, decode(vector.envelope.payload)).toString('hex');
      if (vector.id === 'payload-type-swapped') expect(computed).not.toBe(vector.pae);
      else expect(computed).toBe(vector.pae);
    });

    it.runIf(vector.expect === 'accept')('is reproduced by signDsse (Ed25519 signatures are deterministic)', () => {
      for (const [index, signature] of vector.envelope.signatures.entries()) {
        // Without a keyid, the signers are the trusted keys in order.
        const name = signature.keyid ?? vector.trustedKeys[index]!;
        const signed = signDsse(decode(vector.envelope.payload), vector.envelope.payloadType, [
          { keyid: name, privateKey: keys[name]!.privateKey },
        ]);
        expect(decode(signed.signatures[0]!.sig).equals(decode(signature.sig))).toBe(true);
      }
    });
  });

  it('refuses each reject vector for its own reason', () => {
    const reasons = Object.fromEntries(
      file.vectors
        .filter((vector) => vector.expect === 'reject')
        .map((vector) => {
          try {
            verifyDsse(
              vector.envelope,
              new Map(vector.trustedKeys.map((name) => [name, keys[name]!.publicKey] as const)),
              {
                supportedPayloadTypes: vector.supportedPayloadTypes,
                threshold: vector.threshold,
              },
            );
            return [vector.id, 'accepted'];
          } catch (error) {
            return [vector.id, (error as DsseVerificationError).reason];
          }
        }),
    );
    expect(reasons).toEqual({
      'payload-type-swapped': 'bad_signature',
      'empty-payload-type': 'unsupported_payload_type',
      'threshold-two-one-key-twice': 'threshold_not_met',
    });
  });

  it('refuses every accept vector once a byte of its payload or signature changes, or its key is not trusted', () => {
    for (const vector of file.vectors.filter((candidate) => candidate.expect === 'accept')) {
      const trusted = new Map(vector.trustedKeys.map((name) => [name, keys[name]!.publicKey] as const));
      const options = { supportedPayloadTypes: vector.supportedPayloadTypes, threshold: vector.threshold };
      const payload = decode(vector.envelope.payload);
      const tampered = Buffer.concat([payload, Buffer.from(' ')]).toString('base64');
      expect(() => verifyDsse({ ...vector.envelope, payload: tampered }, trusted, options), vector.id).toThrow(
        DsseVerificationError,
      );
      const flipped = vector.envelope.signatures.map((signature) => {
        const sig = decode(signature.sig);
        sig[0] = sig[0]! ^ 0x01;
        return { ...signature, sig: sig.toString('base64') };
      });
      expect(() => verifyDsse({ ...vector.envelope, signatures: flipped }, trusted, options), vector.id).toThrow(
        DsseVerificationError,
      );
      expect(() => verifyDsse(vector.envelope, new Map(), options), vector.id).toThrow(DsseVerificationError);
    }
  });
});
