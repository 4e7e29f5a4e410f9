import { z } from 'zod';
import { decodeCursor, encodeCursor, pageQuerySchema, pageSchema, problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import type { AuditRepository } from './audit.repository.ts';

const auditEventSchema = z.object({
  id: z.number().int(),
  toeId: z.string().nullable(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  entity: z.string(),
  beforeDigest: z.string().nullable(),
  afterDigest: z.string().nullable(),
  comment: z.string().nullable(),
  at: z.string(),
});

export function registerAuditRoutes(app: Server, audit: AuditRepository): void {
  app.get(
    '/v1/audit-events',
    {
      config: allowedTo('audit:read'),
      schema: {
        tags: ['audit'],
        summary: "The organization's audit trail, oldest first, filtered",
        security: [{ bearer: [] }],
        querystring: pageQuerySchema.extend({
          toe: z.string().max(64).optional(),
          action: z.string().max(64).optional(),
          actor: z.string().max(256).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: pageSchema(auditEventSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'audit:read');
      const query = request.query;
      const position = decodeCursor(query.cursor, z.object({ id: z.number().int() }));
      const { rows, more } = await audit.list({
        org: principal.org,
        ...(query.toe ? { toeId: query.toe } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.from ? { from: new Date(query.from) } : {}),
        ...(query.to ? { to: new Date(query.to) } : {}),
        ...(position ? { afterId: position.id } : {}),
        limit: query.limit,
      });
      const last = rows.at(-1);
      return {
        items: rows.map((row) => ({
          id: row.id!,
          toeId: row.toe_id,
          actor: row.actor,
          role: row.role,
          action: row.action,
          entity: row.entity,
          beforeDigest: row.before_digest,
          afterDigest: row.after_digest,
          comment: row.comment,
          at: row.at.toISOString(),
        })),
        nextCursor: more && last ? encodeCursor({ id: last.id! }) : null,
      };
    },
  );
}
