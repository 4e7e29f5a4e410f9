import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { publicJwkOf, publicKeyFromJwk } from '@cabc/crypto';
import { CheckpointError } from './errors.ts';
import { decodeStrictBase64 } from './strict-base64.ts';

/** C2SP signed-note signature type byte for Ed25519. */
const ED25519_TYPE = 0x01;

/** A trusted key for signed notes: the name and key ID that signature lines carry, and the Ed25519 public key. */
export interface NoteVerifierKey {
  name: string;
  keyId: number;
  publicKey: KeyObject;
}

/** Key names must be non-empty and contain no Unicode space and no "+" (C2SP signed-note, "Format"). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !/[\p{White_Space}+]/u.test(name);
}

export function ed25519PublicKeyBytes(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return Buffer.from(publicJwkOf(publicKey).x, 'base64url');
}

/** key ID = first 4 bytes, big-endian, of SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key). */
export function noteKeyId(name: string, publicKey: KeyObject): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(ed25519PublicKeyBytes(publicKey))
    .digest()
    .readUInt32BE(0);
}

/** The verifier key string `<name>+<hex key ID>+<base64(0x01 || public key)>` that verifiers configure. */
export function formatVerifierKey(name: string, publicKey: KeyObject): string {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name "${name}"`);
  const typedKey = Buffer.concat([Buffer.from([ED25519_TYPE]), ed25519PublicKeyBytes(publicKey)]);
  return `${name}+${hex8(noteKeyId(name, publicKey))}+${typedKey.toString('base64')}`;
}

export function parseVerifierKey(verifierKey: string): NoteVerifierKey {
  const invalid = (why: string) => new CheckpointError('invalid_verifier_key', `verifier key: ${why}`);
  // The name has no "+" and the key ID is 8 hex digits; the base64 part may itself contain "+".
  const match = /^([^+]*)\+([0-9a-fA-F]{8})\+(.*)$/s.exec(verifierKey);
  if (!match) throw invalid('expected <name>+<8 hex digit key ID>+<base64 key>');
  const [, name = '', keyIdHex = '', keyBase64 = ''] = match;
  if (!isValidKeyName(name)) throw invalid(`invalid key name "${name}"`);
  const typedKey = decodeStrictBase64(keyBase64);
  if (!typedKey || typedKey.length !== 33 || typedKey[0] !== ED25519_TYPE) {
    throw invalid('the key is not base64 of 0x01 followed by a 32-byte Ed25519 public key');
  }
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: typedKey.subarray(1).toString('base64url') });
  } catch {
    throw invalid('the key bytes are not an Ed25519 public key');
  }
  const keyId = Number.parseInt(keyIdHex, 16);
  if (keyId !== noteKeyId(name, publicKey)) throw invalid(`key ID ${keyIdHex} does not match the name and key`);
  return { name, keyId, publicKey };
}

export function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}
