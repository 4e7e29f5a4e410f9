import { mintToken } from '@cabc/auth';
import type { SigningKeyStore } from '@cabc/key-store';

/** Long enough for one report's reads at the certification body, short enough that a leaked one is worth little. */
const TTL_SECONDS = 60;

/**
 * The assessment service's own credential at the certification body: an access token it signs with its auditor key
 * (the key the CB already trusts for callbacks), role `auditor`, for one organization at a time. A user's token is for
 * this service only and is never passed on (docs/authorization.md); the CB decides what an auditor may read.
 */
export function createCertificationBodyCredential(deps: { keys: SigningKeyStore; issuer: string; audience: string }) {
  return async (org: string): Promise<string> =>
    mintToken({
      issuer: deps.issuer,
      audience: deps.audience,
      subject: 'cabc-assessment',
      org,
      role: 'auditor',
      ttlSeconds: TTL_SECONDS,
      key: await deps.keys.active(),
    });
}

export type CertificationBodyCredential = ReturnType<typeof createCertificationBodyCredential>;
