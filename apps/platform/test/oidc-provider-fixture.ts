import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';

export interface TestUser {
  org: string;
  role: string;
}

/** Where this provider puts the organization and the roles (as identity providers do, not CABC's names). */
export const ORG_CLAIM = 'https://idp.example/tenant';
export const ROLES_CLAIM = 'realm_access.roles';
const providerClaims = (user: TestUser) => ({
  [ORG_CLAIM]: user.org,
  realm_access: { roles: ['offline_access', user.role] },
});

/**
 * A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 for the dashboard's sign-in tests: its development
 * login form accepts any password for the users given; access tokens are RS256 JWTs (RFC 9068, typ at+jwt) for the
 * resource `audience`, carrying the user's organization and roles under the provider's own claim names
 * (`ORG_CLAIM`, `ROLES_CLAIM`: the services are configured to read them). Its public JWKS is what the services trust.
 */
export async function startOidcProvider(options: {
  port: number;
  audience: string;
  clientId: string;
  dashboardUrl: string;
  users: Record<string, TestUser>;
}) {
  const issuer = `http://127.0.0.1:${options.port}`;
  const kid = `test-${randomUUID()}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const userOf = (accountId: string) => options.users[accountId];

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${options.dashboardUrl}/oidc/callback`],
        post_logout_redirect_uris: [`${options.dashboardUrl}/`],
      },
    ],
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomUUID()] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'api'],
    claims: { openid: ['sub'], profile: [ORG_CLAIM, 'realm_access'] },
    async findAccount(_ctx, sub) {
      const user = userOf(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...providerClaims(user) }) };
    },
    async extraTokenClaims(_ctx, token) {
      const user = 'accountId' in token && typeof token.accountId === 'string' ? userOf(token.accountId) : undefined;
      return user ? providerClaims(user) : {};
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== options.audience) throw new Error(`unknown resource ${resource}`);
          return {
            scope: 'api',
            audience: options.audience,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(options.port, '127.0.0.1', () => resolve(listening));
  });
  return {
    issuer,
    publicJwks: { keys: [publicJwk] },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
