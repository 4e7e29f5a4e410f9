import { z } from 'zod';
import { problemResponses, type Server } from '@cabc/http-kit';
import { evidenceViewSchema, idempotencyHeadersSchema, unifiedEvidenceSchema } from './evidence.schemas.ts';
import type { EvidenceService } from './evidence.service.ts';

const idParams = z.object({ id: z.uuid() });

export function registerEvidenceRoutes(app: Server, service: EvidenceService): void {
  app.post(
    '/v1/evidence',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Submit unified evidence: it is signed (DSSE) and delivered to the assessment service',
        headers: idempotencyHeadersSchema,
        body: unifiedEvidenceSchema,
        response: { 201: evidenceViewSchema, 200: evidenceViewSchema, ...problemResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { created, view } = await service.submit(request.body, request.headers['idempotency-key']);
      return reply.code(created ? 201 : 200).header('location', `/v1/evidence/${view.id}`).send(view);
    },
  );

  app.get(
    '/v1/evidence/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence digests and delivery state (with the auditor’s signed receipt once delivered)',
        params: idParams,
        response: { 200: evidenceViewSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.get(request.params.id),
  );

  app.get(
    '/v1/evidence/:id/envelope',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The signed DSSE envelope exactly as delivered',
        params: idParams,
        response: { ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      // The stored text is sent as is: a verifier must see the exact bytes that were signed and delivered.
      const envelope = await service.envelope(request.params.id);
      return reply.type('application/json').serializer((text: unknown) => String(text)).send(envelope as never);
    },
  );
}
