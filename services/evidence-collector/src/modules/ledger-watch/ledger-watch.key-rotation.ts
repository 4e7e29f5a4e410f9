import { followAnnouncements, jwkThumbprint, publicJwkOf, type AnnouncedJwks } from '@cabc/crypto';
import { formatVerifierKey, parseAndVerifyCheckpoint, parseVerifierKey } from '@cabc/ledger';

/**
 * When the latest checkpoint does not verify with the pinned note key, the auditor may have rotated its key: the
 * note key to follow is one its published rotation announcements reach from the pinned key (each announcement signed
 * by the key before), and that signs this checkpoint. Returns that key's verifier key, or undefined: a key no trusted
 * key announced is refused (docs/keys.md).
 */
export async function announcedSuccessor(
  pinned: string,
  note: string,
  jwks: AnnouncedJwks,
): Promise<string | undefined> {
  const root = parseVerifierKey(pinned);
  const rootKid = await jwkThumbprint(publicJwkOf(root.publicKey));
  const { trusted } = await followAnnouncements(jwks, new Map([[rootKid, root.publicKey]]));
  for (const [kid, publicKey] of trusted) {
    if (kid === rootKid) continue;
    const candidate = formatVerifierKey(root.name, publicKey);
    try {
      parseAndVerifyCheckpoint(note, [candidate]);
      return candidate;
    } catch {
      // not the key that signed this checkpoint
    }
  }
  return undefined;
}
