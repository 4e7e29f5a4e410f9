import type { SigningKeyStore } from '@cabc/key-store';
import { signJwt } from '@cabc/crypto';
import type { NewOutboxMessage, OutboxPrepare } from '@cabc/outbox';

/**
 * Media type of an outbox row that holds a callback's claims still to be signed. The delivery signs them at every
 * attempt with a fresh `iat` (and the key active then), so a retry after a long outage is never refused as stale.
 */
export const UNSIGNED_CALLBACK_CONTENT_TYPE = 'application/vnd.cabc.unsigned-claims+json';

interface UnsignedCallback {
  typ: string;
  claims: Record<string, unknown>;
}

/** The outbox row of a callback to the certification body: its claims (without `iat`) and the JWS `typ` to sign with. */
export function unsignedCallbackRow(
  callback: { typ: string; claims: Record<string, unknown> },
  row: Omit<NewOutboxMessage, 'body' | 'contentType'>,
): NewOutboxMessage {
  const { iat: _signedAtSend, ...claims } = callback.claims;
  return {
    ...row,
    contentType: UNSIGNED_CALLBACK_CONTENT_TYPE,
    body: JSON.stringify({ typ: callback.typ, claims } satisfies UnsignedCallback),
  };
}

/** The outbox's send-time hook: signs unsigned callback rows now; any other row is sent as stored. */
export function createSendTimeSigner(deps: { keys: SigningKeyStore; now?: () => number }): OutboxPrepare {
  const now = deps.now ?? Date.now;
  return async (message) => {
    if (message.contentType !== UNSIGNED_CALLBACK_CONTENT_TYPE)
      return { body: message.body, contentType: message.contentType };
    const { typ, claims } = JSON.parse(message.body) as UnsignedCallback;
    // Signing time on the wall clock of this attempt; the claims carry the domain times (assessedAt, decidedAt).
    const token = await signJwt({ ...claims, iat: Math.floor(now() / 1000) }, await deps.keys.active(), { typ });
    return { body: token, contentType: 'application/jose' };
  };
}
