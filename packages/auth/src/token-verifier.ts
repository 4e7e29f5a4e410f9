import type { KeyObject } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { UnauthorizedProblem } from '@cabc/http-kit';
import { ACCESS_TOKEN_TYP } from './constants.ts';
import { accessTokenClaimsSchema, type Principal } from './principal.ts';
import { defaultClaimNames, withMappedClaims, type ClaimNames } from './token-claims.ts';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Keys of the issuer: a JWKS URL (fetched and cached), a JWKS, or one public key. */
  keys: { jwksUrl: string } | { jwks: JSONWebKeySet } | { publicKey: KeyObject };
  /** Verified tokens kept in memory, so a hot client costs one map lookup instead of a signature check. */
  cacheSize?: number;
  now?: () => number;
  /** Which claims hold the organization and the role (default `org`, `role`). */
  claims?: ClaimNames | undefined;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/** Verifies bearer JWTs (EdDSA or ES256/RS256 from an OIDC issuer) and caches them until they expire. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, { principal: Principal; expiresAtMs: number }>();
  const keys = options.keys;
  const getKey: JWTVerifyGetKey | KeyObject =
    'jwksUrl' in keys
      ? createRemoteJWKSet(new URL(keys.jwksUrl))
      : 'jwks' in keys
        ? createLocalJWKSet(keys.jwks)
        : keys.publicKey;

  return async (token) => {
    const cached = cache.get(token);
    if (cached && cached.expiresAtMs > now()) return cached.principal;
    if (cached) cache.delete(token);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey as JWTVerifyGetKey, {
        issuer: options.issuer,
        audience: options.audience,
        typ: ACCESS_TOKEN_TYP,
        algorithms: ['EdDSA', 'ES256', 'RS256'],
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new UnauthorizedProblem(`invalid bearer token: ${error instanceof Error ? error.message : String(error)}`);
    }
    const claims = accessTokenClaimsSchema.safeParse(withMappedClaims(payload, options.claims ?? defaultClaimNames));
    if (!claims.success) {
      throw new UnauthorizedProblem(
        `bearer token claims: ${claims.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    const principal: Principal = {
      subject: claims.data.sub,
      org: claims.data.org,
      role: claims.data.role,
      tokenId: claims.data.jti,
    };
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(token, { principal, expiresAtMs: (payload.exp ?? 0) * 1000 });
    return principal;
  };
}
