import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'whsec_';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. Shown once, at creation. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

function keyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the `webhook-signature` header of the Standard Webhooks spec. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Verifies a `webhook-signature` header (space-separated `v1,<sig>` entries), constant time. */
export function verifyWebhookSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
  header: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

// Secrets are kept encrypted (AES-256-GCM, key derived from KEY_ENCRYPTION_SECRET) so a database dump alone cannot
// forge deliveries. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
function derive(operatorSecret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(operatorSecret, 'utf8'), Buffer.alloc(0), 'cabc-key-encryption:webhook-secrets', 32),
  );
}

export function sealWebhookSecret(secret: string, operatorSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(operatorSecret), iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

export function unsealWebhookSecret(sealed: string, operatorSecret: string): string {
  const [format, iv, tag, ciphertext] = sealed.split('.');
  if (format !== 'v1' || !iv || !tag || !ciphertext) throw new Error('unknown sealed webhook secret format');
  const decipher = createDecipheriv('aes-256-gcm', derive(operatorSecret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
