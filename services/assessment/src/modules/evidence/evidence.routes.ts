import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundProblem, problemResponses, type Server, type ZodTypeProvider } from '@cabc/http-kit';
import { acceptedEvidenceViewSchema, evidenceReceiptSchema } from './evidence.schemas.ts';
import { toReceipt, type EvidenceIngestService } from './evidence.service.ts';
import { authorize } from '../authorization/permissions.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';

const rawBodies = new WeakMap<FastifyRequest, string>();

export async function registerEvidenceRoutes(app: Server, service: EvidenceIngestService, toes: ToesRepository): Promise<void> {
  await app.register(async (scope) => {
    // Keep the body text as received: its digest identifies the envelope and the ledger stores it unchanged.
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      rawBodies.set(request, body as string);
      parseJson(request, body as string, done);
    });
    const routes = scope.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/v1/evidence',
      {
        schema: {
          tags: ['evidence'],
          summary: 'Receive a DSSE-signed in-toto evidence statement; answers with a signed receipt',
          description:
            'The body is the DSSE envelope. Verified against the trusted collector keys; a repeated envelope gets the same receipt (200).',
          body: z.unknown(),
          response: { 201: evidenceReceiptSchema, 200: evidenceReceiptSchema, ...problemResponses(400, 401, 403, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const { created, receipt } = await service.ingest(rawBodies.get(request) ?? '', request.body);
        return reply.code(created ? 201 : 200).send(receipt);
      },
    );

    routes.get(
      '/v1/evidence/:id',
      {
        schema: {
          tags: ['evidence'],
          summary: 'One accepted evidence with its receipt',
          security: [{ bearer: [] }],
          params: z.object({ id: z.uuid() }),
          response: { 200: acceptedEvidenceViewSchema, ...problemResponses(400, 404) },
        },
      },
      async (request) => {
        const principal = authorize(request, 'evidence:read');
        const evidence = await service.get(request.params.id);
        // Evidence of another organization's ToE is answered exactly like evidence that does not exist.
        if (!(await toes.findInOrg(evidence.toe, principal.org))) {
          throw new NotFoundProblem(`no evidence ${request.params.id}`, [{ field: 'path:id', message: 'no such evidence' }]);
        }
        return {
          ...toReceipt(evidence),
          kind: evidence.kind,
          keyid: evidence.keyid,
          observedAt: evidence.observedAt.toISOString(),
          subjects: evidence.subjects,
          predicate: evidence.predicate,
        };
      },
    );
  });
}
