import type { FastifyRequest } from 'fastify';
import { allowRoles, principalOf, type Principal, type Role } from '@cabc/auth';
import { ForbiddenProblem } from '@cabc/http-kit';

/**
 * Who may do what at the collector. Evidence is pushed by pipelines and by the auditee's own tooling; it is read by
 * the same organization's pipelines and auditee users; the signing key is managed by the operating organization's
 * admins. Every read is filtered by the caller's organization, so another organization's evidence is "not found".
 */
export const roles = {
  push: ['pipeline', 'auditee'] as Role[],
  read: ['pipeline', 'auditee'] as Role[],
  manageKeys: ['admin'] as Role[],
};

function adminOfCollectorOrg(what: string, feature: string, options: { collectorOrg?: string | undefined }) {
  return {
    config: allowRoles(...roles.manageKeys),
    preHandler: async (request: FastifyRequest) => {
      const principal = principalOf(request);
      if (!options.collectorOrg) {
        throw new ForbiddenProblem(
          `${feature} is disabled: COLLECTOR_ORG (the organization operating this collector) is not set`,
        );
      }
      if (principal.org !== options.collectorOrg) {
        throw new ForbiddenProblem(`only admins of ${options.collectorOrg} ${what}`);
      }
    },
  };
}

/** The route options of each kind of collector route: the roles it declares, and the organization checks after. */
export function createAccess(options: { collectorOrg?: string | undefined }) {
  return {
    /** A pushing role, of the collector's organization when one is configured. */
    push: {
      config: allowRoles(...roles.push),
      preHandler: async (request: FastifyRequest) => {
        const principal = principalOf(request);
        if (options.collectorOrg && principal.org !== options.collectorOrg) {
          throw new ForbiddenProblem(
            `this collector signs evidence for organization ${options.collectorOrg}, not ${principal.org}`,
          );
        }
      },
    },
    read: { config: allowRoles(...roles.read) },
    /** An admin of the organization operating the collector (COLLECTOR_ORG). */
    manageKeys: adminOfCollectorOrg("manage this collector's signing key", 'key management', options),
    /** The same admins see and redeliver the outbox's dead letters. */
    operate: adminOfCollectorOrg("operate this collector's outbox", 'outbox operations', options),
    principal: (request: FastifyRequest): Principal => principalOf(request),
  };
}

export type Access = ReturnType<typeof createAccess>;
