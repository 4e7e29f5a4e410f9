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
  /** The claim holding the organization: a name (`https://idp.example/org`) or a dotted path (`tenant.id`). */
  AUTH_ORG_CLAIM: z.string().min(1).default('org'),
  /** The claim holding the role: a string, or a list (e.g. `realm_access.roles`, `groups`) of which the first CABC role counts. */
  AUTH_ROLE_CLAIM: z.string().min(1).default('role'),
});
export type AuthEnv = z.output<typeof authEnvSchema>;

export function tokenVerifierFromEnv(env: AuthEnv): TokenVerifier {
  const claims = { org: env.AUTH_ORG_CLAIM, role: env.AUTH_ROLE_CLAIM };
  if (env.AUTH_JWKS_URL)
    return createTokenVerifier({
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      keys: { jwksUrl: env.AUTH_JWKS_URL },
      claims,
    });
  if (env.AUTH_JWKS) {
    const [first] = env.AUTH_JWKS.keys;
    if (env.AUTH_JWKS.keys.length === 1 && first) {
      return createTokenVerifier({
        issuer: env.AUTH_ISSUER,
        audience: env.AUTH_AUDIENCE,
        keys: { publicKey: publicKeyFromJwk(first) },
        claims,
      });
    }
    return createTokenVerifier({
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      keys: { jwks: env.AUTH_JWKS as never },
      claims,
    });
  }
  throw new Error('set AUTH_JWKS_URL or AUTH_JWKS (the keys of the bearer-token issuer)');
}
