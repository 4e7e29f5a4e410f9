import type { FastifyRequest } from 'fastify';
import { ForbiddenProblem } from '@cabc/http-kit';
import { principalOf, type Principal, type Role } from '@cabc/auth';

/**
 * Who may do what in the assessment service: the one table. An action missing here is refused for everyone.
 * Separation of duties: the auditee drafts and submits but never decides; the auditor reviews and decides but
 * never edits a scope or submits evidence (evidence arrives only as collector-signed envelopes); pipeline tokens
 * only push evidence at the collector and read nothing here.
 */
export const permissions = {
  'toe:create': ['auditee'],
  'toe:update': ['auditee'],
  'toe:read': ['auditee', 'auditor', 'certification_body', 'admin'],
  'scope:draft': ['auditee'],
  'scope:submit': ['auditee'],
  'scope:review': ['auditor'],
  'scope:comment': ['auditor', 'auditee'],
  'scope:read': ['auditee', 'auditor', 'certification_body', 'admin'],
  'evidence:read': ['auditee', 'auditor', 'admin'],
  'posture:read': ['auditee', 'auditor', 'certification_body', 'admin'],
  'finding:record': ['auditor'],
  'finding:read': ['auditee', 'auditor', 'certification_body', 'admin'],
  'observation:read': ['auditee', 'auditor', 'admin'],
  'observation:decide': ['auditor'],
  'scope:dry_run': ['auditee', 'auditor'],
  'catalog:read': ['auditee', 'auditor', 'certification_body', 'admin'],
  'audit:read': ['auditor', 'admin'],
  /** The outbox's dead letters (scope decisions and posture callbacks the certification body never took). */
  'outbox:operate': ['auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof permissions;

export function isAllowed(role: Role, action: Action): boolean {
  return (permissions[action] as readonly Role[]).includes(role);
}

/** The caller, after checking the action is allowed for its role (403 otherwise). */
export function authorize(request: FastifyRequest, action: Action): Principal {
  const principal = principalOf(request);
  if (!isAllowed(principal.role, action)) {
    throw new ForbiddenProblem(`role ${principal.role} may not ${action.replace(':', ' ')}`);
  }
  return principal;
}

/** A preHandler form of `authorize`, for routes that only need the check. */
export const allow = (action: Action) => async (request: FastifyRequest) => {
  authorize(request, action);
};

/** The route option declaring who may call a route: the roles the table above allows the action to. */
export const allowedTo = (action: Action) => ({ access: { roles: permissions[action] } });
