import { describe, expect, it } from 'vitest';
import { decodeLeaf, encodeLeaf, leafHash, type LeafFields } from '../src/index.ts';

// Expected bytes computed independently (Python: struct layout of docs/ledger.md, "Leaf encoding").
const fields: LeafFields = {
  envelopeSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  sequence: 42,
  receivedAt: new Date('2026-11-28T12:30:15.123Z'),
  toe: 'mlsys/fraud-scorer',
};
const expectedHex =
  '01' + // version
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' + // envelope SHA-256
  '000000000000002a' + // sequence 42
  '000001a222227c53' + // 1795869015123 ms since the epoch
  '0012' + // 18 bytes of toe
  '6d6c7379732f66726175642d73636f726572'; // "mlsys/fraud-scorer"
const expectedLeafHash = '51f23b0181b54de47eb4b80418fdd33be5237acfa582c3fbf45b70716c74c78f';

describe('encodeLeaf (layout version 1)', () => {
  it('lays out the fields at fixed offsets, big-endian', () => {
    expect(encodeLeaf(fields).toString('hex')).toBe(expectedHex);
    expect(leafHash(encodeLeaf(fields)).toString('hex')).toBe(expectedLeafHash);
  });

  it('accepts the sequence as a bigint, as Postgres bigserial arrives', () => {
    expect(encodeLeaf({ ...fields, sequence: 42n }).toString('hex')).toBe(expectedHex);
  });

  it('round-trips through decodeLeaf', () => {
    const multibyte = { ...fields, toe: 'modèle-📈', receivedAt: new Date(-1) };
    expect(decodeLeaf(encodeLeaf(multibyte))).toEqual({ ...multibyte, version: 1, sequence: 42n });
  });

  it('changes the leaf hash when any field changes', () => {
    const base = leafHash(encodeLeaf(fields));
    const variants: LeafFields[] = [
      { ...fields, envelopeSha256: `${fields.envelopeSha256.slice(0, -1)}4` },
      { ...fields, sequence: 43 },
      { ...fields, receivedAt: new Date(fields.receivedAt.getTime() + 1) },
      { ...fields, toe: 'mlsys/fraud-scorer2' },
    ];
    for (const variant of variants) expect(leafHash(encodeLeaf(variant)).equals(base)).toBe(false);
  });

  it('refuses values it cannot encode canonically', () => {
    expect(() => encodeLeaf({ ...fields, envelopeSha256: fields.envelopeSha256.toUpperCase() })).toThrow(
      /lowercase hex/,
    );
    expect(() => encodeLeaf({ ...fields, envelopeSha256: 'abc' })).toThrow(/64/);
    expect(() => encodeLeaf({ ...fields, sequence: -1 })).toThrow(/unsigned/);
    expect(() => encodeLeaf({ ...fields, sequence: 2n ** 64n })).toThrow(/unsigned/);
    expect(() => encodeLeaf({ ...fields, receivedAt: new Date('nonsense') })).toThrow(/invalid date/);
    expect(() => encodeLeaf({ ...fields, toe: '' })).toThrow(/non-empty/);
    expect(() => encodeLeaf({ ...fields, toe: 'x'.repeat(65_536) })).toThrow(/65535/);
  });

  it('refuses to decode other versions and inconsistent lengths', () => {
    const leaf = encodeLeaf(fields);
    expect(() => decodeLeaf(Buffer.concat([Buffer.from([2]), leaf.subarray(1)]))).toThrow(/version 2/);
    expect(() => decodeLeaf(leaf.subarray(0, -1))).toThrow(/header says/);
    expect(() => decodeLeaf(Buffer.concat([leaf, Buffer.from([0])]))).toThrow(/header says/);
    expect(() => decodeLeaf(leaf.subarray(0, 20))).toThrow(/shorter/);
  });
});
