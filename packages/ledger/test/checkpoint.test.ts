import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatCheckpoint,
  formatVerifierKey,
  parseAndVerifyCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  signNote,
  verifierKeyOf,
} from '../src/index.ts';
import { checkpointBodies, sumdbCheckpoint } from './fixtures/signed-note-vectors.ts';
import { ed25519FromSeed, hex, makeLeafHashes, reasonOf } from './helpers.ts';

const origin = 'cabc.example/ledger';
const newSigner = (name = origin) => ({ name, privateKey: generateKeyPairSync('ed25519').privateKey });
const rootHash = makeLeafHashes(1)[0]!;

describe('a real checkpoint of the Go checksum database (transparency-dev/formats note_test.go)', () => {
  it('verifies against the published sum.golang.org key and yields its tree head', () => {
    const checkpoint = parseAndVerifyCheckpoint(sumdbCheckpoint.note, [sumdbCheckpoint.verifierKey], {
      origin: sumdbCheckpoint.origin,
    });
    expect(checkpoint).toEqual({
      origin: sumdbCheckpoint.origin,
      size: sumdbCheckpoint.size,
      rootHash: Buffer.from(sumdbCheckpoint.rootHashBase64, 'base64'),
      extensions: [],
      signedBy: ['sum.golang.org'],
    });
  });

  it('is refused for another origin or with its tree size changed', () => {
    const key = [sumdbCheckpoint.verifierKey];
    expect(reasonOf(() => parseAndVerifyCheckpoint(sumdbCheckpoint.note, key, { origin: 'go.sum' }))).toBe(
      'origin_mismatch',
    );
    const forged = sumdbCheckpoint.note.replace('6476701', '6476702');
    expect(reasonOf(() => parseAndVerifyCheckpoint(forged, key))).toBe('bad_signature');
  });

  it('formats back to the exact signed text', () => {
    const text = sumdbCheckpoint.note.split('\n\n')[0] + '\n';
    expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
  });
});

describe('checkpoint body', () => {
  it('is origin, decimal size, base64 root and extension lines, each ending in a newline', () => {
    const text = formatCheckpoint({ origin, size: 20852163, rootHash, extensions: ['ext one', 'ext two'] });
    expect(text).toBe(`${origin}\n20852163\n${rootHash.toString('base64')}\next one\next two\n`);
    expect(parseCheckpoint(text)).toEqual({ origin, size: 20852163, rootHash, extensions: ['ext one', 'ext two'] });
  });

  it('writes the empty tree as size 0', () => {
    const empty = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(formatCheckpoint({ origin, size: 0, rootHash: empty })).toBe(
      `${origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`,
    );
  });

  it.each(checkpointBodies.rejected)(
    'refuses a body with $desc (transparency-dev/formats checkpoint_test.go)',
    ({ text }) => {
      expect(reasonOf(() => parseCheckpoint(text))).toBe('malformed_checkpoint');
    },
  );

  it.each([
    ['a size with leading zeroes', `${origin}\n0123\n${rootHash.toString('base64')}\n`],
    ['a size beyond 2^53 - 1', `${origin}\n9007199254740992\n${rootHash.toString('base64')}\n`],
    ['a root hash that is not 32 bytes', `${origin}\n5\nYmFuYW5hcw==\n`],
    ['an empty extension line', `${origin}\n5\n${rootHash.toString('base64')}\n\next\n`],
  ])('refuses %s', (_desc, text) => {
    expect(reasonOf(() => parseCheckpoint(text))).toBe('malformed_checkpoint');
  });

  it('refuses to format what it could not parse back', () => {
    expect(() => formatCheckpoint({ origin: 'two\nlines', size: 1, rootHash })).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin, size: -1, rootHash })).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin, size: 1, rootHash: Buffer.alloc(20) })).toThrow(TypeError);
    expect(() => formatCheckpoint({ origin, size: 1, rootHash, extensions: [''] })).toThrow(TypeError);
  });
});

describe('signCheckpoint and parseAndVerifyCheckpoint', () => {
  it('reproduce the example of docs/ledger.md: the 8-leaf reference tree signed with the RFC 8032 test 1 key', () => {
    const privateKey = ed25519FromSeed(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    const docOrigin = 'auditor.cabc.example/ledger';
    const note =
      'auditor.cabc.example/ledger\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n' +
      '— auditor.cabc.example/ledger GoLQyFUbED03VkP7WobhKvNEAmZ66jLNtgBlGHPVeT1iG6gKRLPhXEu8I4TqgmkTKF2Ts6bJHFWv673KxQRVwaWbPQ8=\n';
    const verifierKey = 'auditor.cabc.example/ledger+1a82d0c8+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea';
    const root8 = hex('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    expect(signCheckpoint({ origin: docOrigin, size: 8, rootHash: root8 }, { name: docOrigin, privateKey })).toBe(note);
    expect(formatVerifierKey(docOrigin, createPublicKey(privateKey))).toBe(verifierKey);
    expect(parseAndVerifyCheckpoint(note, [verifierKey], { origin: docOrigin })).toMatchObject({
      size: 8,
      rootHash: root8,
    });
  });

  it('derive RFC 8032 test 1 public key from its seed (the key helper the vectors rely on)', () => {
    // RFC 8032 §7.1, TEST 1.
    const privateKey = ed25519FromSeed(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    const publicRaw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
    expect(publicRaw.toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const signed = signCheckpoint({ origin, size: 3, rootHash }, { name: origin, privateKey });
    expect(signCheckpoint({ origin, size: 3, rootHash }, { name: origin, privateKey })).toBe(signed);
  });

  it('round-trip a checkpoint through a note signed by the log key', () => {
    const signer = newSigner();
    const note = signCheckpoint({ origin, size: 1234, rootHash }, signer);
    expect(note).toMatch(new RegExp(`^${origin}\\n1234\\n[A-Za-z0-9+/=]{44}\\n\\n— ${origin} [A-Za-z0-9+/=]{92}\\n$`));
    const verifierKey = formatVerifierKey(signer.name, createPublicKey(signer.privateKey));
    expect(parseAndVerifyCheckpoint(note, [verifierKey], { origin })).toMatchObject({ size: 1234, rootHash });
    expect(parseAndVerifyCheckpoint(note, [verifierKeyOf(signer)])).toMatchObject({ size: 1234 });
  });

  it('refuses a checkpoint signed by a key that is not trusted', () => {
    const note = signCheckpoint({ origin, size: 1, rootHash }, newSigner());
    expect(reasonOf(() => parseAndVerifyCheckpoint(note, [verifierKeyOf(newSigner())]))).toBe('no_trusted_signature');
  });

  it('refuses a checkpoint whose root hash was swapped after signing', () => {
    const signer = newSigner();
    const note = signCheckpoint({ origin, size: 1, rootHash }, signer);
    const swapped = note.replace(rootHash.toString('base64'), makeLeafHashes(2)[1]!.toString('base64'));
    expect(reasonOf(() => parseAndVerifyCheckpoint(swapped, [verifierKeyOf(signer)]))).toBe('bad_signature');
  });

  it('accepts a note cosigned by unknown witnesses, and after key rotation with only the new key trusted', () => {
    const [oldKey, newKey, witness] = [newSigner(), newSigner(), newSigner('witness.example/w1')];
    const note = signNote(formatCheckpoint({ origin, size: 9, rootHash }), [oldKey, newKey, witness]);
    expect(parseAndVerifyCheckpoint(note, [verifierKeyOf(newKey)]).signedBy).toEqual([origin]);
    expect(parseAndVerifyCheckpoint(note, [verifierKeyOf(newKey), verifierKeyOf(witness)]).signedBy).toEqual([
      origin,
      'witness.example/w1',
    ]);
  });

  it('reads the body only after a trusted signature verified it', () => {
    const signer = newSigner();
    const note = signNote('not a checkpoint\n', [signer]);
    expect(reasonOf(() => parseAndVerifyCheckpoint(note, [verifierKeyOf(newSigner())]))).toBe('no_trusted_signature');
    expect(reasonOf(() => parseAndVerifyCheckpoint(note, [verifierKeyOf(signer)]))).toBe('malformed_checkpoint');
  });
});
