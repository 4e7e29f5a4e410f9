import type { KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from './ed25519-keys.ts';
import { signJwt } from './jwt.ts';

/**
 * A key rotation is announced by a statement the previous key signs: "key `sub` (this public JWK) follows key `prev`".
 * A service publishes its announcements next to its JWKS (an extra `announcements` member, which RFC 7517 lets other
 * readers ignore), so a party that trusts one of its keys can follow every rotation, and refuse a key nobody announced.
 */
export const KEY_ANNOUNCEMENT_TYP = 'cabc-key-announcement+jwt';

export interface KeyAnnouncementClaims {
  iss: string;
  sub: string;
  prev: string;
  jwk: PublicJwk;
  iat: number;
}

/** A JWKS as CABC services publish it: the keys and the announcements that chain them. */
export interface AnnouncedJwks {
  keys: PublicJwk[];
  announcements?: string[];
}

export async function announceKey(
  next: { kid: string; publicJwk: PublicJwk },
  previous: { kid: string; privateKey: KeyObject },
  issuer: string,
): Promise<string> {
  const { kty, crv, x } = next.publicJwk;
  return signJwt(
    { iss: issuer, sub: next.kid, prev: previous.kid, jwk: { kty, crv, x }, iat: Math.floor(Date.now() / 1000) },
    previous,
    { typ: KEY_ANNOUNCEMENT_TYP },
  );
}

/** The announcement's claims once its signature by `signer` verifies and its key matches its id; else the reason. */
export async function verifyAnnouncement(
  token: string,
  signer: KeyObject,
): Promise<{ ok: true; claims: KeyAnnouncementClaims } | { ok: false; reason: string }> {
  try {
    const { payload } = await jwtVerify(token, signer, { algorithms: ['EdDSA'], typ: KEY_ANNOUNCEMENT_TYP });
    const claims = payload as unknown as KeyAnnouncementClaims;
    if (typeof claims.sub !== 'string' || typeof claims.prev !== 'string') return { ok: false, reason: 'no sub/prev' };
    publicKeyFromJwk(claims.jwk);
    if ((await jwkThumbprint(claims.jwk)) !== claims.sub) return { ok: false, reason: 'the key does not match its id' };
    return { ok: true, claims };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Who signed an announcement and whom it introduces, unverified (to find the signer's key). */
function peek(token: string): { signer: string; sub: string } | undefined {
  try {
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    if (typeof header.kid !== 'string' || typeof claims.sub !== 'string') return undefined;
    return { signer: header.kid, sub: claims.sub };
  } catch {
    return undefined;
  }
}

export interface FollowedKeys {
  /** Trusted keys by id: the roots and every key reached from them through announcements. */
  trusted: Map<string, KeyObject>;
  /** Published keys no trusted key announced. */
  refused: { kid: string; reason: string }[];
}

/**
 * Walks the announcements of a published key set from the keys already trusted (`roots`), and returns every key
 * reachable from them. Without roots (first contact) the one published key no announcement introduces is the root;
 * when there are several such keys none is trusted, since nothing tells the genuine one from a planted one.
 */
export async function followAnnouncements(
  jwks: AnnouncedJwks,
  roots?: ReadonlyMap<string, KeyObject>,
): Promise<FollowedKeys> {
  const published = new Map<string, PublicJwk>();
  for (const jwk of jwks.keys ?? []) if (typeof jwk.kid === 'string') published.set(jwk.kid, jwk);
  const announcements = (jwks.announcements ?? []).flatMap((token) => {
    const seen = peek(token);
    return seen ? [{ token, ...seen }] : [];
  });
  const trusted = new Map<string, KeyObject>(roots ?? []);
  if (!roots) {
    const introduced = new Set(announcements.map((announcement) => announcement.sub));
    const unannounced = [...published.keys()].filter((kid) => !introduced.has(kid));
    if (unannounced.length === 1) trusted.set(unannounced[0]!, publicKeyFromJwk(published.get(unannounced[0]!)));
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const announcement of announcements) {
      if (trusted.has(announcement.sub)) continue;
      const signer = trusted.get(announcement.signer);
      const jwk = published.get(announcement.sub);
      if (!signer || !jwk) continue;
      const verified = await verifyAnnouncement(announcement.token, signer);
      if (!verified.ok || verified.claims.jwk.x !== jwk.x) continue;
      trusted.set(announcement.sub, publicKeyFromJwk(jwk));
      grew = true;
    }
  }
  const refused = [...published.keys()]
    .filter((kid) => !trusted.has(kid))
    .map((kid) => ({ kid, reason: 'no announcement by a trusted key introduces it' }));
  return { trusted, refused };
}
