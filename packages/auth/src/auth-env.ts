import { z } from 'zod';
import { envDuration, envJson, envJwks } from '@cabc/service-kit';
import { roles } from './principal.ts';
import { defaultAudiences, type ServiceName } from './services.ts';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.ts';
import { trustedIssuersSchema, type TrustedIssuer } from './trusted-issuers.ts';

/**
 * How a service verifies its bearer tokens (docs/authorization.md): its audience, the issuers it trusts per party
 * (AUTH_ISSUERS), or one issuer trusted for every party (AUTH_ISSUER with AUTH_JWKS_URL / AUTH_JWKS, development),
 * and the longest token lifetime it accepts.
 */
export function authEnvShape(service: ServiceName) {
  return {
    AUTH_AUDIENCE: z.string().min(1).default(defaultAudiences[service]),
    AUTH_ISSUERS: envJson(trustedIssuersSchema).optional(),
    AUTH_ISSUER: z.string().min(1).default('cabc-local'),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUTH_JWKS: envJwks().optional(),
    AUTH_MAX_TOKEN_LIFETIME: envDuration('24h'),
  };
}

export interface AuthEnv {
  AUTH_AUDIENCE: string;
  AUTH_ISSUERS?: TrustedIssuer[] | undefined;
  AUTH_ISSUER: string;
  AUTH_JWKS_URL?: string | undefined;
  AUTH_JWKS?: { keys: { kid: string }[] } | undefined;
  AUTH_MAX_TOKEN_LIFETIME: number;
}

/** The configuration check every service runs: some issuer is configured. */
export const hasTokenIssuer = (env: Partial<AuthEnv>): boolean =>
  Boolean(env.AUTH_ISSUERS || env.AUTH_JWKS_URL || env.AUTH_JWKS);

export const missingTokenIssuerMessage =
  'set AUTH_JWKS_URL or AUTH_JWKS (one issuer for every party) or AUTH_ISSUERS (issuers per party)';

/** The trusted issuers the configuration describes. */
export function trustedIssuersOf(env: AuthEnv): TrustedIssuer[] {
  if (env.AUTH_ISSUERS) return env.AUTH_ISSUERS;
  const keys = env.AUTH_JWKS
    ? { jwks: { keys: env.AUTH_JWKS.keys.map((key) => ({ kty: '', ...key })) } }
    : env.AUTH_JWKS_URL
      ? { jwksUri: env.AUTH_JWKS_URL }
      : undefined;
  if (!keys) throw new Error(missingTokenIssuerMessage);
  return [{ issuer: env.AUTH_ISSUER, party: 'every party', ...keys, orgs: ['*'], roles: [...roles] }];
}

/** `alsoTrusted`: issuers the service trusts by its own configuration, e.g. the certification body the auditor's key. */
export function tokenVerifierFromEnv(
  env: AuthEnv,
  log?: TokenVerifierOptions['log'],
  alsoTrusted: TrustedIssuer[] = [],
): TokenVerifier {
  return createTokenVerifier({
    audience: env.AUTH_AUDIENCE,
    issuers: [...trustedIssuersOf(env), ...alsoTrusted],
    maxLifetimeSeconds: Math.floor(env.AUTH_MAX_TOKEN_LIFETIME / 1000),
    ...(log ? { log } : {}),
  });
}
