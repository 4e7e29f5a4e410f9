import type { KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

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

/** Verifies EdDSA JWTs against a JWKS given inline or fetched (and cached) from a URL. */
export function createJwtVerifier(source: { jwks: JSONWebKeySet } | { jwksUrl: string }): JwtVerifier {
  const getKey: JWTVerifyGetKey =
    'jwks' in source
      ? createLocalJWKSet(source.jwks)
      : createRemoteJWKSet(new URL(source.jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 600_000 });
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
