import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type KeyObject, createPrivateKey } from 'node:crypto';

// Private keys are stored as AES-256-GCM ciphertext under a key derived from an operator secret, so a database dump
// alone does not yield a signing key. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
const FORMAT = 'v1';

function derive(secret: string, context: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `cabc-key-encryption:${context}`, 32),
  );
}

/** The stored key was sealed under another secret (or altered): the operator must supply the right secret. */
export class KeyDecryptionError extends Error {
  override name = 'KeyDecryptionError';
}

export function encryptPrivateKey(privateKey: KeyObject, secret: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(secret, context), iv);
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return [FORMAT, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function decryptPrivateKey(sealed: string, secret: string, context: string): KeyObject {
  const [format, iv, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || !ciphertext) throw new Error('unknown encrypted key format');
  const decipher = createDecipheriv('aes-256-gcm', derive(secret, context), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    const pkcs8 = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyDecryptionError(
      'cannot decrypt the stored signing key: the key-encryption secret is not the one it was sealed with',
    );
  }
}
