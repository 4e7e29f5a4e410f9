/**
 * The `logIndex` claim of a receipt JWT this service signed (null when the evidence was accepted with the ledger
 * off). Read from the signed receipt so that the JSON answer always repeats what the signature covers.
 */
export function logIndexOfReceipt(receipt: string): number | null {
  try {
    const claims = JSON.parse(Buffer.from(receipt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      logIndex?: unknown;
    };
    return Number.isSafeInteger(claims.logIndex) ? (claims.logIndex as number) : null;
  } catch {
    return null;
  }
}
