import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sealBytes, unsealBytes } from '@cabc/crypto';

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

// Secrets are kept sealed (AES-256-GCM under a scrypt-derived key with a salt, the subscription id bound as
// associated data; @cabc/crypto sealBytes) so a database dump alone cannot forge deliveries. The operator secret is
// WEBHOOK_ENCRYPTION_SECRET (KEY_ENCRYPTION_SECRET when unset). v1 values (HKDF, nothing bound) are still read.
const PURPOSE = 'webhook-secret';
const LEGACY_CONTEXT = 'cabc-key-encryption:webhook-secrets';

export function sealWebhookSecret(secret: string, operatorSecret: string, subscriptionId: string): string {
  return sealBytes(Buffer.from(secret, 'utf8'), operatorSecret, { purpose: PURPOSE, id: subscriptionId });
}

export function unsealWebhookSecret(sealed: string, operatorSecret: string, subscriptionId: string): string {
  return unsealBytes(sealed, operatorSecret, { purpose: PURPOSE, id: subscriptionId }, LEGACY_CONTEXT).toString('utf8');
}
