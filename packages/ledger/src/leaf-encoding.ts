/**
 * The bytes of a ledger leaf: what the log commits to for one accepted evidence envelope. Version 1 layout, all
 * integers big-endian:
 *
 *   offset  size  field
 *   0       1     version = 0x01
 *   1       32    envelopeSha256: SHA-256 of the exact envelope bytes as received
 *   33      8     sequence: the evidence row's sequence number, unsigned
 *   41      8     receivedAt: milliseconds since the Unix epoch, signed
 *   49      2     length of toe in bytes, unsigned
 *   51      n     toe: the target of evaluation, UTF-8
 *
 * The leaf hash is RFC 6962's SHA-256(0x00 || these bytes). A new layout gets a new version byte; old leaves keep
 * theirs, so a verifier dispatches on byte 0.
 */
export const LEAF_ENCODING_VERSION = 1;

export interface LeafFields {
  /** Lowercase hex, 64 characters. */
  envelopeSha256: string;
  sequence: number | bigint;
  /** Encoded at millisecond precision; store the same millisecond value you encode. */
  receivedAt: Date;
  toe: string;
}

export interface DecodedLeaf {
  version: number;
  envelopeSha256: string;
  sequence: bigint;
  receivedAt: Date;
  toe: string;
}

const HEADER_SIZE = 51;
const MAX_UINT64 = 2n ** 64n - 1n;
const MAX_TOE_BYTES = 0xffff;
const sha256HexPattern = /^[0-9a-f]{64}$/;

export function encodeLeaf(fields: LeafFields): Buffer {
  if (!sha256HexPattern.test(fields.envelopeSha256)) {
    throw new TypeError('envelopeSha256 must be 64 lowercase hex characters');
  }
  const sequence = BigInt(fields.sequence);
  if (sequence < 0n || sequence > MAX_UINT64) throw new RangeError('sequence must fit an unsigned 64-bit integer');
  const receivedAtMs = fields.receivedAt.getTime();
  if (Number.isNaN(receivedAtMs)) throw new TypeError('receivedAt is an invalid date');
  if (fields.toe.length === 0 || !fields.toe.isWellFormed())
    throw new TypeError('toe must be non-empty, well-formed text');
  const toe = Buffer.from(fields.toe, 'utf8');
  if (toe.length > MAX_TOE_BYTES) throw new RangeError(`toe must be at most ${MAX_TOE_BYTES} UTF-8 bytes`);

  const leaf = Buffer.alloc(HEADER_SIZE + toe.length);
  leaf.writeUInt8(LEAF_ENCODING_VERSION, 0);
  Buffer.from(fields.envelopeSha256, 'hex').copy(leaf, 1);
  leaf.writeBigUInt64BE(sequence, 33);
  leaf.writeBigInt64BE(BigInt(receivedAtMs), 41);
  leaf.writeUInt16BE(toe.length, 49);
  toe.copy(leaf, HEADER_SIZE);
  return leaf;
}

/** Reads a version 1 leaf back; throws on any other version or a length that does not match the layout. */
export function decodeLeaf(leaf: Uint8Array): DecodedLeaf {
  const bytes = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength);
  if (bytes.length < HEADER_SIZE) throw new TypeError(`leaf is ${bytes.length} bytes, shorter than the v1 header`);
  const version = bytes.readUInt8(0);
  if (version !== LEAF_ENCODING_VERSION) throw new TypeError(`unknown leaf encoding version ${version}`);
  const toeLength = bytes.readUInt16BE(49);
  if (bytes.length !== HEADER_SIZE + toeLength) {
    throw new TypeError(`leaf is ${bytes.length} bytes, its header says ${HEADER_SIZE + toeLength}`);
  }
  return {
    version,
    envelopeSha256: bytes.subarray(1, 33).toString('hex'),
    sequence: bytes.readBigUInt64BE(33),
    receivedAt: new Date(Number(bytes.readBigInt64BE(41))),
    toe: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_SIZE)),
  };
}
