import type { FastifyRequest } from 'fastify';
import { BEARER_AUTHENTICATION, ForbiddenProblem, UnauthorizedProblem, type Server } from '@cabc/http-kit';
import type { Principal, Role } from './principal.ts';
import type { TokenVerifier } from './token-verifier.ts';

const principals = new WeakMap<FastifyRequest, Principal>();

/** The route option of a route that the given roles may call (`config: allowRoles('auditor')`). */
export const allowRoles = (...roles: Role[]) => ({ access: { roles } }) as const;

/** The route option of a route whose body authenticates itself (a DSSE envelope, a signed callback). */
export const signedBodyRoute = { access: 'signature' } as const;

/**
 * Before validation and handlers run, every route is let through as its declaration (`config.access`) says: public
 * and signed-body routes without a bearer token, every other route only with a verified bearer token of one of the
 * roles it declares (401 without a valid token, 403 for another role). No path decides who is public.
 */
export function registerAuthentication(app: Server, verify: TokenVerifier): void {
  app.decorate(BEARER_AUTHENTICATION, true);
  app.addHook('onRequest', async (request) => {
    // No route matched: the not-found handler answers 404 for everyone.
    if (request.routeOptions.url === undefined) return;
    const access = request.routeOptions.config.access;
    if (access === 'public' || access === 'signature') return;
    if (!access) throw new UnauthorizedProblem('this route declares no access and is refused');
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedProblem('a bearer token is required (Authorization: Bearer <token>)');
    const principal = await verify(match[1]!);
    principals.set(request, principal);
    if (!access.roles.includes(principal.role)) {
      throw new ForbiddenProblem(`role ${principal.role} may not do this; allowed: ${access.roles.join(', ')}`);
    }
  });
}

/** The verified caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new UnauthorizedProblem('a bearer token is required');
  return principal;
}
