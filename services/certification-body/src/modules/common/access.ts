import type { FastifyRequest } from 'fastify';
import { principalOf, type Principal, type Role } from '@cabc/auth';
import { ForbiddenProblem } from '@cabc/http-kit';
import type { OrgScope } from '../certifications/certification.repository.ts';

/** Roles that read certificates, each only those of the organization its token is scoped to. */
export const certificateReaders: Role[] = ['auditee', 'auditor', 'certification_body', 'admin'];

/**
 * What the caller may see: the organization its token is scoped to, whatever the role (docs/design.md §6: every token is
 * scoped to one organization). The certification body's staff and admins work on a client with that client's token.
 */
export function orgScopeOf(principal: Principal): OrgScope {
  if (certificateReaders.includes(principal.role)) return { kind: 'org', org: principal.org };
  throw new ForbiddenProblem(`role ${principal.role} may not read certificates`);
}

export function requestScope(request: FastifyRequest): { principal: Principal; scope: OrgScope } {
  const principal = principalOf(request);
  return { principal, scope: orgScopeOf(principal) };
}
