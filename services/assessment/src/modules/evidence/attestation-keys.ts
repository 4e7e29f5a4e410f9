import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export interface AttestationKey {
  producer: string;
  /** RFC 7638 thumbprint of the JWK. */
  thumbprint: string;
  /** The JWK's own `kid`, when it has one (third-party envelopes often name their key this way). */
  kid: string | undefined;
  key: KeyObject;
}

const RSA_MIN_BITS = 2048;

/** A third-party producer's public key from a scope's `attestationKeys`; throws with a reason when it is not one. */
export function attestationKeyOf(entry: { producer: string; jwk: Record<string, unknown> }): AttestationKey {
  const { jwk } = entry;
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) throw new Error('a private or symmetric key: list the public key only');
  const supported =
    (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') ||
    (jwk.kty === 'EC' && (jwk.crv === 'P-256' || jwk.crv === 'P-384')) ||
    jwk.kty === 'RSA';
  if (!supported) throw new Error('not an Ed25519, ECDSA P-256/P-384 or RSA public JWK');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch (error) {
    throw new Error(`not a valid public JWK: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (jwk.kty === 'RSA' && (bits === undefined || bits < RSA_MIN_BITS)) {
    throw new Error(`an RSA key of ${bits ?? '?'} bits: at least ${RSA_MIN_BITS} are required`);
  }
  const thumbprint = thumbprintOf(jwk);
  const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
  return { producer: entry.producer, thumbprint, kid, key } satisfies AttestationKey;
}

/** RFC 7638: SHA-256 over the required members, in lexicographic order, as base64url. */
function thumbprintOf(jwk: Record<string, unknown>): string {
  const members =
    jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x'];
  const canonical = `{${members.map((member) => `${JSON.stringify(member)}:${JSON.stringify(jwk[member])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}
