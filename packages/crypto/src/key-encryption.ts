import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  hkdfSync,
  randomBytes,
  scryptSync,
  type DecipherGCM,
  type KeyObject,
} from 'node:crypto';

// Secrets at rest (signing keys, webhook secrets) are AES-256-GCM ciphertext under a key derived from an operator
// secret, so a database dump alone yields nothing. Format v2: v2.<log2 N>.<salt>.<iv>.<tag>.<ciphertext> (base64url
// parts): scrypt with a random salt per sealed value, and the value's purpose and id (e.g. the key id) bound as
// associated data, so a ciphertext moved to another row does not open. v1 (HKDF without salt, nothing bound) is
// still read, so that a service can re-seal what it holds on start (docs/keys.md).
const V2 = 'v2';
const V1 = 'v1';
const SCRYPT_LOG_N = 15;
const SCRYPT = { r: 8, p: 1 } as const;

/** What a sealed value is and which record it belongs to; bound into the ciphertext. */
export interface SealBinding {
  /** e.g. `signing-key:assessment`, `webhook-secret`. */
  purpose: string;
  /** e.g. the key id, the subscription id. */
  id: string;
}

/** The stored value was sealed under another secret, for another record, or altered. */
export class KeyDecryptionError extends Error {
  override name = 'KeyDecryptionError';
}

// scrypt is deliberately slow; a process derives each (secret, salt) once.
const derived = new Map<string, Buffer>();
function scryptKey(secret: string, salt: Buffer, logN: number): Buffer {
  const cacheKey = `${logN}:${salt.toString('base64')}:${secret}`;
  const known = derived.get(cacheKey);
  if (known) return known;
  const N = 2 ** logN;
  const key = scryptSync(Buffer.from(secret, 'utf8'), salt, 32, { N, ...SCRYPT, maxmem: 256 * N * SCRYPT.r });
  if (derived.size > 1_000) derived.clear();
  derived.set(cacheKey, key);
  return key;
}

function legacyKey(secret: string, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), context, 32));
}

const aad = (binding: SealBinding) => Buffer.from(`cabc-sealed:${binding.purpose}:${binding.id}`, 'utf8');

export function sealBytes(plaintext: Uint8Array, secret: string, binding: SealBinding): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', scryptKey(secret, salt, SCRYPT_LOG_N), iv);
  cipher.setAAD(aad(binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [
    V2,
    String(SCRYPT_LOG_N),
    ...[salt, iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url')),
  ].join('.');
}

/**
 * Opens a sealed value. `legacyContext` is the HKDF info string a v1 value of this kind was sealed with (v1 bound
 * nothing, so the binding is not checked for it); without it a v1 value is refused.
 */
export function unsealBytes(sealed: string, secret: string, binding: SealBinding, legacyContext?: string): Buffer {
  const parts = sealed.split('.');
  let decipher: DecipherGCM;
  let ciphertext: string;
  if (parts[0] === V2 && parts.length === 6) {
    const [, logN, salt, iv, tag, body] = parts as [string, string, string, string, string, string];
    const n = Number(logN);
    if (!Number.isInteger(n) || n < 10 || n > 20) throw new KeyDecryptionError('sealed value: bad scrypt cost');
    decipher = createDecipheriv(
      'aes-256-gcm',
      scryptKey(secret, Buffer.from(salt, 'base64url'), n),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    ciphertext = body;
  } else if (parts[0] === V1 && parts.length === 4 && legacyContext !== undefined) {
    const [, iv, tag, body] = parts as [string, string, string, string];
    decipher = createDecipheriv('aes-256-gcm', legacyKey(secret, legacyContext), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    ciphertext = body;
  } else {
    throw new KeyDecryptionError('unknown sealed value format');
  }
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    throw new KeyDecryptionError(
      `cannot open the sealed ${binding.purpose} ${binding.id}: sealed under another secret, for another record, or altered`,
    );
  }
}

/** Whether a sealed value is in an older format (or an older scrypt cost) and should be re-sealed. */
export function isLegacySealed(sealed: string): boolean {
  const [format, logN] = sealed.split('.');
  return format !== V2 || Number(logN) < SCRYPT_LOG_N;
}

const signingKeyBinding = (service: string, kid: string): SealBinding => ({
  purpose: `signing-key:${service}`,
  id: kid,
});

/** Seals an Ed25519 private key of `service`, bound to its key id. */
export function encryptPrivateKey(privateKey: KeyObject, secret: string, service: string, kid: string): string {
  return sealBytes(privateKey.export({ format: 'der', type: 'pkcs8' }), secret, signingKeyBinding(service, kid));
}

export function decryptPrivateKey(sealed: string, secret: string, service: string, kid: string): KeyObject {
  const pkcs8 = unsealBytes(sealed, secret, signingKeyBinding(service, kid), `cabc-key-encryption:${service}`);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}
