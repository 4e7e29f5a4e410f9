import { z } from 'zod';
import { envJwks } from '@cabc/service-kit';
import { publicKeyFromJwk } from '@cabc/crypto';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

/** How a service finds the issuer of its bearer tokens: a JWKS URL (OIDC), or the local issuer's public JWK. */
export const authEnvSchema = z.object({
  AUTH_ISSUER: z.string().min(1).default('cabc-local'),
  AUTH_AUDIENCE: z.string().min(1).default('cabc'),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWKS: envJwks().optional(),
});
export type AuthEnv = z.output<typeof authEnvSchema>;

export function tokenVerifierFromEnv(env: AuthEnv): TokenVerifier {
  if (env.AUTH_JWKS_URL)
    return createTokenVerifier({
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      keys: { jwksUrl: env.AUTH_JWKS_URL },
    });
  if (env.AUTH_JWKS) {
    const [first] = env.AUTH_JWKS.keys;
    if (env.AUTH_JWKS.keys.length === 1 && first) {
      return createTokenVerifier({
        issuer: env.AUTH_ISSUER,
        audience: env.AUTH_AUDIENCE,
        keys: { publicKey: publicKeyFromJwk(first) },
      });
    }
    return createTokenVerifier({
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      keys: { jwks: env.AUTH_JWKS as never },
    });
  }
  throw new Error('set AUTH_JWKS_URL or AUTH_JWKS (the keys of the bearer-token issuer)');
}
