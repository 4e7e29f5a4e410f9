import { verify } from 'node:crypto';
import { RECEIPT_TYP } from '@cabc/contracts';
import { TrustedKeySet } from '@cabc/crypto';
import { LedgerUnreachableError } from './ledger-watch.client.ts';

/** Why a receipt's signature was refused, or null when it verifies with the auditor's published key. */
export type ReceiptVerifier = (receipt: string) => Promise<string | null>;

function header(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a receipt (compact JWS, EdDSA, typ cabc-receipt+jwt) against the assessment service's JWKS. A key set that
 * cannot be fetched throws LedgerUnreachableError: nothing is concluded and the watcher tries again next run.
 */
export function createReceiptVerifier(jwksUrl: string): ReceiptVerifier {
  const keys = new TrustedKeySet({ jwksUrl });
  /** Key ids already looked up with a fresh copy: an unknown one costs one extra fetch, not one per receipt. */
  const lookedUp = new Set<string>();
  return async (receipt) => {
    const parts = receipt.split('.');
    const protectedHeader = parts.length === 3 ? header(parts[0]!) : undefined;
    if (!protectedHeader) return 'the receipt is not a compact JWS';
    if (protectedHeader.alg !== 'EdDSA' || protectedHeader.typ !== RECEIPT_TYP)
      return `the receipt is not an EdDSA ${RECEIPT_TYP} (alg ${String(protectedHeader.alg)}, typ ${String(protectedHeader.typ)})`;
    const kid = typeof protectedHeader.kid === 'string' ? protectedHeader.kid : '';
    let key;
    const fetchedBefore = keys.fetchedAt;
    try {
      key = (await keys.keys({ mustInclude: [kid] })).get(kid);
      // Not in a copy fetched moments ago (the set's refetch waits out its cooldown): the auditor may have just
      // rotated to it, so look once more with a fresh copy before concluding.
      if (!key && keys.fetchedAt === fetchedBefore && !lookedUp.has(kid) && lookedUp.size < 1_000) {
        lookedUp.add(kid);
        key = (await keys.refresh()).get(kid);
      }
    } catch (error) {
      throw new LedgerUnreachableError(
        `the auditor's JWKS ${jwksUrl}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (!key) return `the receipt's key ${kid} is not in the auditor's JWKS`;
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
    return verify(null, signed, key, Buffer.from(parts[2]!, 'base64url'))
      ? null
      : "the receipt's signature does not verify with the auditor's key";
  };
}
