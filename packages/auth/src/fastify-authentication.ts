import type { FastifyRequest } from 'fastify';
import { ForbiddenProblem, UnauthorizedProblem, type Server } from '@cabc/http-kit';
import type { Principal, Role } from './principal.ts';
import type { TokenVerifier } from './token-verifier.ts';

const principals = new WeakMap<FastifyRequest, Principal>();

/**
 * Verifies the bearer token of every request except the public paths, before validation and handlers run.
 * Authorization is separate: each route states its roles with `requireRole`; a route that states none is refused.
 */
export function registerAuthentication(
  app: Server,
  verify: TokenVerifier,
  options: { publicPaths: (path: string) => boolean },
): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    // No route matched: the not-found handler answers 404 for everyone.
    if (request.routeOptions.url === undefined || options.publicPaths(path)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedProblem('a bearer token is required (Authorization: Bearer <token>)');
    principals.set(request, await verify(match[1]!));
  });
}

/** The verified caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new UnauthorizedProblem('a bearer token is required');
  return principal;
}

/** A preHandler that lets only the given roles through (403 otherwise). */
export function requireRole(...allowed: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = principalOf(request);
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenProblem(`role ${principal.role} may not do this; allowed: ${allowed.join(', ')}`);
    }
  };
}
