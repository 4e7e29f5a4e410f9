import { decryptPrivateKey, signingKeyFrom, verifyAnnouncement, type PublicJwk, type SigningKey } from '@cabc/crypto';

export interface KeyRow {
  kid: string;
  public_jwk: PublicJwk;
  sealed_private_key: string;
  status: 'next' | 'active' | 'retired';
  created_at: Date;
  retired_at: Date | null;
  announcement: string | null;
}

export interface RefusedKey {
  kid: string;
  status: string;
  reason: string;
  /** Its private key did not open under the service's secret (sealed under another one, or altered). */
  unopened?: true;
}

export interface VerifiedKeys {
  /** The service's own keys, oldest first, with their private parts. */
  keys: { row: KeyRow; key: SigningKey }[];
  refused: RefusedKey[];
}

/**
 * Which stored key rows are the service's own (docs/keys.md, "Which keys are trusted"): the private part opens under
 * the service's secret, bound to this key id, and matches the public key; the first such key (oldest) needs no
 * announcement, every other one an announcement signed by a key before it in the chain. `rows` oldest first.
 */
export async function verifyKeyChain(
  rows: readonly KeyRow[],
  options: { secret: string; service: string },
): Promise<VerifiedKeys> {
  const keys: VerifiedKeys['keys'] = [];
  const refused: RefusedKey[] = [];
  const byKid = new Map<string, SigningKey>();
  for (const row of rows) {
    const refuse = (reason: string, unopened = false) =>
      refused.push({ kid: row.kid, status: row.status, reason, ...(unopened ? { unopened: true as const } : {}) });
    let key: SigningKey;
    try {
      key = await signingKeyFrom(decryptPrivateKey(row.sealed_private_key, options.secret, options.service, row.kid));
    } catch (error) {
      refuse(
        `its private key does not open under the service's secret (${error instanceof Error ? error.message : String(error)})`,
        true,
      );
      continue;
    }
    if (key.kid !== row.kid || key.publicJwk.x !== row.public_jwk?.x) {
      refuse('its private key does not match its key id or public key');
      continue;
    }
    if (row.announcement === null) {
      if (keys.length > 0) {
        refuse('no announcement by an earlier key: not made by the rotation procedure');
        continue;
      }
    } else {
      const verified = await verifyAnnouncementByAny(row.announcement, byKid);
      if (!verified.ok) {
        refuse(`its announcement does not verify: ${verified.reason}`);
        continue;
      }
      if (
        verified.claims.sub !== row.kid ||
        verified.claims.jwk.x !== row.public_jwk.x ||
        verified.claims.iss !== options.service
      ) {
        refuse('its announcement introduces another key');
        continue;
      }
    }
    keys.push({ row, key });
    byKid.set(row.kid, key);
  }
  return { keys, refused };
}

async function verifyAnnouncementByAny(token: string, signers: ReadonlyMap<string, SigningKey>) {
  let kid: string | undefined;
  try {
    kid = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).kid;
  } catch {
    kid = undefined;
  }
  const signer = kid ? signers.get(kid) : undefined;
  if (!signer)
    return { ok: false as const, reason: `signed by ${kid ?? 'no key id'}, not an earlier key of the service` };
  return verifyAnnouncement(token, signer.publicKey);
}
