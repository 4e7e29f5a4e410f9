import { z } from 'zod';
import { problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import type { FindingsService } from './findings.service.ts';
import type { IntegrityFinding } from './integrity-findings.repository.ts';
import { findingView } from './manual-finding.ts';

const findingSchema = z.object({
  id: z.string(),
  requirementId: z.string(),
  status: z.enum(['compliant', 'non_compliant', 'error']),
  justification: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  recordedBy: z.string(),
});

const integrityFindingSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['ledger_mismatch']),
  evidenceId: z.string(),
  detail: z.string(),
  observedAt: z.string(),
  resolvedAt: z.string().nullable(),
});

const integrityView = (finding: IntegrityFinding) => ({
  id: finding.id,
  kind: finding.kind,
  evidenceId: finding.evidenceId,
  detail: finding.detail,
  observedAt: finding.observedAt.toISOString(),
  resolvedAt: finding.resolvedAt?.toISOString() ?? null,
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
        .send(
          findingView(await findings.record(authorize(request, 'finding:record'), request.params.toeId, request.body)),
        ),
  );

  app.get(
    '/v1/toes/:toeId/findings',
    {
      config: allowedTo('finding:read'),
      schema: {
        tags: ['findings'],
        summary: 'Every manual finding of a ToE, oldest first, and its integrity findings',
        description:
          '`integrity` lists evidence the service found not to verify when it read it for evaluation ' +
          '(`ledger_mismatch`: envelope, ledger leaf or signature): left out of the assessment, and the posture is ' +
          '`error` while one is open (resolvedAt null). See docs/keys.md.',
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        response: {
          200: z.object({ items: z.array(findingSchema), integrity: z.array(integrityFindingSchema) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const principal = authorize(request, 'finding:read');
      return {
        items: (await findings.list(principal, request.params.toeId)).map(findingView),
        integrity: (await findings.listIntegrity(principal, request.params.toeId)).map(integrityView),
      };
    },
  );
}
