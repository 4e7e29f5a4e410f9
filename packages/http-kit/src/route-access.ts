/**
 * Who may call a route, declared in its options (`config: { access }`) next to its definition; the authentication
 * plugin refuses to start a service with a route that declares none (packages/auth, docs/authorization.md).
 * - `public`: anyone, no bearer token (health, keys, documentation, public status).
 * - `signature`: anyone, because the body carries its own signature that the handler verifies first (DSSE evidence,
 *   signed callbacks); a bearer token is neither needed nor looked at.
 * - `{ roles }`: a bearer token of this service's audience from a trusted issuer, with one of these roles.
 */
export type RouteAccess = 'public' | 'signature' | { readonly roles: readonly string[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The route option of a route anyone may call. */
export const publicRoute = { access: 'public' } as const satisfies { access: RouteAccess };
