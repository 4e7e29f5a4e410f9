import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { ForbiddenProblem, UnauthorizedProblem } from '@cabc/http-kit';
import { ACCESS_TOKEN_TYP } from './constants.ts';
import { accessTokenClaimsSchema, type Principal } from './principal.ts';
import { defaultClaimNames, withMappedClaims } from './token-claims.ts';
import { transportOf, type TrustedIssuer } from './trusted-issuers.ts';

export interface TokenVerifierOptions {
  /** This service's audience: a token whose `aud` does not name it is refused (401). */
  audience: string;
  /** The identity providers this service trusts, each with the organizations and roles it may assert. */
  issuers: readonly TrustedIssuer[];
  /** Longest lifetime (`exp - iat`) of a token this service accepts. */
  maxLifetimeSeconds: number;
  /** Verified tokens kept in memory, so a hot client costs one map lookup instead of a signature check. */
  cacheSize?: number;
  now?: () => number;
  log?: { warn: (details: object, message: string) => void };
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const CLOCK_TOLERANCE_SECONDS = 30;
const DISCOVERY_TIMEOUT_MS = 5_000;

const describe = (issuer: TrustedIssuer) => (issuer.party ? `${issuer.issuer} (${issuer.party})` : issuer.issuer);

/**
 * The keys of one issuer: inline, from its `jwksUri`, or found by OIDC discovery (`<issuer>/.well-known/
 * openid-configuration`, fetched on first use and again after a failure). Https only, plain http only on loopback,
 * and then said loudly in the log.
 */
function keysOf(issuer: TrustedIssuer, log: TokenVerifierOptions['log']): JWTVerifyGetKey {
  if (issuer.jwks) return createLocalJWKSet(issuer.jwks as JSONWebKeySet);
  const remote = (url: string) => {
    if (transportOf(url) === 'loopback-http')
      log?.warn(
        { issuer: issuer.issuer, url },
        'INSECURE: token issuer keys are fetched over plain http (allowed on loopback for development only)',
      );
    return createRemoteJWKSet(new URL(url));
  };
  if (issuer.jwksUri) return remote(issuer.jwksUri);
  const discoveryUrl = `${issuer.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  transportOf(discoveryUrl);
  let discovered: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(discoveryUrl, {
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`OIDC discovery at ${discoveryUrl} answered ${response.status}`);
    const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
    if (metadata.issuer !== issuer.issuer)
      throw new Error(`OIDC discovery at ${discoveryUrl} names issuer ${String(metadata.issuer)}`);
    if (typeof metadata.jwks_uri !== 'string') throw new Error(`OIDC discovery at ${discoveryUrl} has no jwks_uri`);
    return remote(metadata.jwks_uri);
  };
  return async (header, token) => {
    discovered ??= discover().catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return (await discovered)(header, token);
  };
}

/**
 * Verifies bearer JWTs (EdDSA, or ES256/RS256 from an OIDC issuer): from a trusted issuer, for this service's
 * audience, within the maximum lifetime, and asserting only organizations and roles that issuer may assert.
 * Verified tokens are cached until they expire.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, { principal: Principal; expiresAtMs: number }>();
  const issuers = new Map(
    options.issuers.map((issuer) => [issuer.issuer, { issuer, keys: keysOf(issuer, options.log) }]),
  );

  return async (token) => {
    const cached = cache.get(token);
    if (cached && cached.expiresAtMs > now()) return cached.principal;
    if (cached) cache.delete(token);
    let claimedIssuer: string | undefined;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthorizedProblem('invalid bearer token: not a JWT');
    }
    const trusted = claimedIssuer === undefined ? undefined : issuers.get(claimedIssuer);
    if (!trusted)
      throw new UnauthorizedProblem(`invalid bearer token: issuer ${claimedIssuer ?? '(none)'} is not trusted here`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer.issuer,
        audience: options.audience,
        typ: ACCESS_TOKEN_TYP,
        algorithms: ['EdDSA', 'ES256', 'RS256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: options.maxLifetimeSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnauthorizedProblem(
        /"aud"/.test(reason)
          ? `invalid bearer token: it is not for this service (audience ${options.audience})`
          : `invalid bearer token: ${reason}`,
      );
    }
    // A token for several audiences is good at each of them, so any service it names could replay it at the others.
    if (Array.isArray(payload.aud) && payload.aud.length > 1) {
      throw new UnauthorizedProblem(
        `invalid bearer token: it is for several audiences (${payload.aud.join(', ')}); this service accepts only tokens for ${options.audience} alone`,
      );
    }
    const lifetime = (payload.exp ?? 0) - (payload.iat ?? 0);
    if (lifetime > options.maxLifetimeSeconds) {
      throw new UnauthorizedProblem(
        `invalid bearer token: its lifetime (${lifetime} s) exceeds the ${options.maxLifetimeSeconds} s this service accepts`,
      );
    }
    const claims = accessTokenClaimsSchema.safeParse(
      withMappedClaims(payload, { ...defaultClaimNames, ...trusted.issuer.claims }),
    );
    if (!claims.success) {
      throw new UnauthorizedProblem(
        `bearer token claims: ${claims.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    const { issuer } = trusted;
    if (!issuer.roles.includes(claims.data.role))
      throw new ForbiddenProblem(`issuer ${describe(issuer)} may not assert role ${claims.data.role} here`);
    if (!issuer.orgs.includes('*') && !issuer.orgs.includes(claims.data.org))
      throw new ForbiddenProblem(`issuer ${describe(issuer)} may not speak for organization ${claims.data.org}`);
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
