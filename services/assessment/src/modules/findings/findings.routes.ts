import { z } from 'zod';
import { problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import type { ManualFinding } from './findings.repository.ts';
import type { FindingsService } from './findings.service.ts';

const findingSchema = z.object({
  id: z.string(),
  requirementId: z.string(),
  status: z.enum(['compliant', 'non_compliant', 'error']),
  justification: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  recordedBy: z.string(),
});

const view = (finding: ManualFinding) => ({
  id: finding.id,
  requirementId: finding.requirementId,
  status: finding.status,
  justification: finding.justification,
  validFrom: finding.validFrom.toISOString(),
  validUntil: finding.validUntil.toISOString(),
  recordedBy: finding.recordedBy,
});

export function registerFindingRoutes(app: Server, findings: FindingsService): void {
  app.post(
    '/v1/toes/:toeId/findings',
    {
      config: allowedTo('finding:record'),
      schema: {
        tags: ['findings'],
        summary: "Record the auditor's own result for a requirement; it overrides the automated one until validUntil",
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        body: z.strictObject({
          requirementId: z.string().min(1).max(64),
          status: z.enum(['compliant', 'non_compliant', 'error']),
          justification: z.string().min(10, 'say why, in at least 10 characters').max(8192),
          validUntil: z.iso.datetime({ offset: true }),
        }),
        response: { 201: findingSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(view(await findings.record(authorize(request, 'finding:record'), request.params.toeId, request.body))),
  );

  app.get(
    '/v1/toes/:toeId/findings',
    {
      config: allowedTo('finding:read'),
      schema: {
        tags: ['findings'],
        summary: 'Every manual finding of a ToE, oldest first',
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        response: { 200: z.object({ items: z.array(findingSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await findings.list(authorize(request, 'finding:read'), request.params.toeId)).map(view),
    }),
  );
}
