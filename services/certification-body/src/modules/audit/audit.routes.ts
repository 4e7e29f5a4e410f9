import { z } from 'zod';
import { allowRoles, principalOf } from '@cabc/auth';
import { problemResponses, type Server } from '@cabc/http-kit';
import type { ReceivedCallbacksRepository } from '../callbacks/received-callbacks.repository.ts';
import type { AuditRepository } from './audit.repository.ts';

const security = [{ bearer: [] }];
const operators = allowRoles('certification_body', 'admin');

/**
 * What the certification body's operators read, for the organization their token is scoped to: its audit trail and the
 * callbacks received about its ToEs (refusals included).
 */
export function registerAuditRoutes(
  app: Server,
  deps: { audit: AuditRepository; received: ReceivedCallbacksRepository },
): void {
  app.get(
    '/v1/audit-events',
    {
      config: operators,
      schema: {
        tags: ['audit'],
        summary:
          "The caller's organization's audit trail, newest first (who withdrew a certificate, changed a policy, disabled a subscription, ...)",
        security,
        querystring: z.object({
          targetType: z.string().max(64).optional(),
          targetId: z.string().max(256).optional(),
          org: z.string().max(64).optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number().int(),
                at: z.string(),
                actor: z.unknown(),
                action: z.string(),
                targetType: z.string(),
                targetId: z.string(),
                org: z.string().nullable(),
                before: z.unknown(),
                after: z.unknown(),
                comment: z.string().nullable(),
                requestId: z.string().nullable(),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { targetType, targetId, org, before, limit } = request.query;
      const principal = principalOf(request);
      // Asking for another organization's trail finds nothing, as if it had none.
      if (org !== undefined && org !== principal.org) return { items: [] };
      const items = await deps.audit.list(
        {
          org: principal.org,
          ...(targetType ? { targetType } : {}),
          ...(targetId ? { targetId } : {}),
          ...(before ? { beforeId: before } : {}),
        },
        limit,
      );
      return { items: items.map((item) => ({ ...item, at: item.at.toISOString() })) };
    },
  );

  app.get(
    '/v1/received-callbacks',
    {
      config: operators,
      schema: {
        tags: ['audit'],
        summary:
          "Callbacks received from the auditor about the caller's organization's ToEs, newest first, refused ones included (with why)",
        security,
        querystring: z.object({
          kind: z.enum(['posture', 'scope']).optional(),
          outcome: z.string().max(32).optional(),
          toe: z.string().max(256).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number().int(),
                kind: z.string(),
                jti: z.string().nullable(),
                toe: z.string().nullable(),
                scopeVersion: z.number().int().nullable(),
                sequence: z.number().int().nullable(),
                outcome: z.string(),
                detail: z.string(),
                receivedAt: z.string(),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { kind, outcome, toe, limit } = request.query;
      const { org } = principalOf(request);
      const rows = await deps.received.list(
        { org, ...(kind ? { kind } : {}), ...(outcome ? { outcome } : {}), ...(toe ? { toe } : {}) },
        limit,
      );
      return {
        items: rows.map((row) => ({
          id: Number(row.id),
          kind: row.kind,
          jti: row.jti,
          toe: row.toe,
          scopeVersion: row.scope_version,
          sequence: row.sequence,
          outcome: row.outcome,
          detail: row.detail,
          receivedAt: row.received_at.toISOString(),
        })),
      };
    },
  );
}
