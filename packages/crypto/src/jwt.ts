import type { KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { followAnnouncements, type AnnouncedJwks } from './key-announcement.ts';

export async function signJwt(
  claims: JWTPayload & Record<string, unknown>,
  key: { kid: string; privateKey: KeyObject },
  options: { typ: string },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: options.typ }).sign(key.privateKey);
}

export type JwtVerifier = (
  token: string,
  expected: {
    audience: string;
    typ: string;
    issuer?: string;
    maxTokenAge?: string | number;
    /** Seconds of clock difference allowed on iat, nbf and exp. */
    clockTolerance?: number;
  },
) => Promise<JWTPayload>;

/**
 * A remote key set whose keys are trusted only as far as the publisher's rotation announcements reach from the keys
 * trusted before (docs/keys.md): a key added to the set without an announcement by a trusted key is refused (jose's
 * "no matching key", so a caller treats it as a key not available yet). `onRefused` hears each refused key once.
 */
function followingRemoteKeys(url: URL, onRefused?: (kid: string, reason: string) => void): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, { cooldownDuration: 5_000, cacheMaxAge: 600_000 });
  let trusted: Map<string, KeyObject> | undefined;
  let followedFrom: string | undefined;
  const reported = new Set<string>();
  return async (header, token) => {
    await remote(header, token);
    const published = remote.jwks() as AnnouncedJwks | undefined;
    const fingerprint = JSON.stringify(published ?? null);
    if (published && fingerprint !== followedFrom) {
      const followed = await followAnnouncements(published, trusted);
      // First contact with an ambiguous set trusts nothing yet, and tries again with the next fetch.
      if (followed.trusted.size > 0) trusted = followed.trusted;
      followedFrom = fingerprint;
      for (const refused of followed.refused) {
        if (reported.has(refused.kid)) continue;
        reported.add(refused.kid);
        onRefused?.(refused.kid, refused.reason);
      }
    }
    const key = header.kid ? trusted?.get(header.kid) : undefined;
    if (!key)
      throw new errors.JWKSNoMatchingKey(
        `key ${header.kid ?? '(no kid)'} is published but no trusted key announced it`,
      );
    return key;
  };
}

/**
 * Verifies EdDSA JWTs against a JWKS given inline (all its keys trusted) or fetched (and cached) from a URL (its keys
 * trusted through rotation announcements, see {@link followingRemoteKeys}).
 */
export function createJwtVerifier(
  source: { jwks: JSONWebKeySet } | { jwksUrl: string },
  options: { onRefusedKey?: (kid: string, reason: string) => void } = {},
): JwtVerifier {
  const getKey: JWTVerifyGetKey =
    'jwks' in source
      ? createLocalJWKSet(source.jwks)
      : followingRemoteKeys(new URL(source.jwksUrl), options.onRefusedKey);
  return async (token, expected) => {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: ['EdDSA'],
      audience: expected.audience,
      typ: expected.typ,
      ...(expected.issuer ? { issuer: expected.issuer } : {}),
      ...(expected.maxTokenAge !== undefined ? { maxTokenAge: expected.maxTokenAge } : {}),
      ...(expected.clockTolerance !== undefined ? { clockTolerance: expected.clockTolerance } : {}),
    });
    return payload;
  };
}
