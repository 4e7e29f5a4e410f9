import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  BadRequestProblem,
  HttpProblem,
  installJsonBodyParser,
  type EvidenceMetrics,
  NotFoundProblem,
  problemResponses,
  type Server,
  type ZodTypeProvider,
} from '@cabc/http-kit';
import { signedBodyRoute } from '@cabc/auth';
import { evidenceReceiptSchema } from '@cabc/contracts';
import { acceptedEvidenceViewSchema } from './evidence.schemas.ts';
import { toReceipt, type EvidenceIngestService } from './evidence.service.ts';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { registerEvidenceRateLimits, type EvidenceLimits } from './evidence-limits.ts';
import type { Redis } from '@cabc/service-kit';

const rawBodies = new WeakMap<FastifyRequest, string>();

const batchAnswerSchema = z.object({
  results: z.array(
    z.object({
      status: z.number().int(),
      receipt: evidenceReceiptSchema.optional(),
      problem: z
        .object({
          type: z.string(),
          title: z.string(),
          detail: z.string(),
          errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
        })
        .optional(),
    }),
  ),
});

/** `work` over `items` with at most `concurrency` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** One envelope of a batch: its receipt, or the problem that refused it (the rest of the batch goes on). */
async function ingestOne(
  service: EvidenceIngestService,
  metrics: EvidenceMetrics,
  text: string,
  admit: (toe: string) => Promise<void>,
) {
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BadRequestProblem('the envelope is not JSON', [{ field: 'envelope', message: 'not JSON' }]);
    }
    const { created, receipt } = await service.ingest(text, parsed, admit);
    metrics.ingested(created ? 'created' : 'repeated');
    return { status: created ? 201 : 200, receipt };
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    metrics.refused(error.type.replace(/^https:\/\/cabc\.dev\/problems\//, ''));
    return {
      status: error.status,
      problem: {
        type: error.type,
        title: error.title,
        detail: error.message,
        ...(error.fields.length > 0 ? { errors: error.fields } : {}),
      },
    };
  }
}

export async function registerEvidenceRoutes(
  app: Server,
  service: EvidenceIngestService,
  toes: ToesRepository,
  limiting: { redis: Redis; prefix: string; limits: EvidenceLimits; metrics: EvidenceMetrics },
): Promise<void> {
  const { limits, metrics } = limiting;
  await app.register(async (scope) => {
    const rateLimits = await registerEvidenceRateLimits(scope, limiting.redis, limiting.prefix, limits);
    // Keep the body text as received: its digest identifies the envelope and the ledger stores it unchanged.
    installJsonBodyParser(scope, (request, text) => rawBodies.set(request, text));
    const routes = scope.withTypeProvider<ZodTypeProvider>();

    routes.post(
      '/v1/evidence',
      {
        config: signedBodyRoute,
        schema: {
          tags: ['evidence'],
          summary: 'Receive a DSSE-signed in-toto evidence statement; answers with a signed receipt',
          description:
            'The body is the DSSE envelope. Verified against the trusted collector keys; a repeated envelope gets the same receipt (200).',
          body: z.unknown(),
          response: {
            201: evidenceReceiptSchema,
            200: evidenceReceiptSchema,
            ...problemResponses(400, 401, 403, 413, 415, 422, 429),
          },
        },
        onRequest: rateLimits.perAddress,
        onResponse: metrics.routeHooks.onResponse,
      },
      async (request, reply) => {
        // Over a limit, TooManyRequestsProblem: the problem handler adds its Retry-After.
        const { created, receipt } = await service.ingest(
          rawBodies.get(request) ?? '',
          request.body,
          rateLimits.admitToe(request),
        );
        return reply.code(created ? 201 : 200).send(receipt);
      },
    );

    routes.post(
      '/v1/evidence/batch',
      {
        config: signedBodyRoute,
        schema: {
          tags: ['evidence'],
          summary: `Receive up to ${limits.batchMax} DSSE envelopes at once; each is verified and stored as by POST /v1/evidence`,
          description:
            'Each envelope is given as its exact JSON text (a string), since its digest is over those bytes. The answer lists, ' +
            'in order, each envelope’s status (201 stored, 200 already stored, 4xx refused) with its receipt or its problem. ' +
            'The envelopes of one batch are stored in shared transactions, which is what makes a batch cheaper than its parts.',
          body: z.strictObject({ envelopes: z.array(z.string().min(2)).min(1) }),
          response: { 200: batchAnswerSchema, ...problemResponses(400, 413, 415, 429) },
        },
        onRequest: rateLimits.perAddress,
      },
      async (request) => {
        const { envelopes } = request.body;
        if (envelopes.length > limits.batchMax) {
          throw new HttpProblem(
            413,
            'batch-too-large',
            'Batch too large',
            `${envelopes.length} envelopes in one batch; at most ${limits.batchMax}`,
            { fields: [{ field: 'envelopes', message: `at most ${limits.batchMax} envelopes` }] },
          );
        }
        const admit = rateLimits.admitToe(request);
        return {
          results: await mapLimited(envelopes, limits.batchConcurrency, (text) => ingestOne(service, metrics, text, admit)),
        };
      },
    );

    routes.get(
      '/v1/evidence/:id',
      {
        config: allowedTo('evidence:read'),
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
          throw new NotFoundProblem(`no evidence ${request.params.id}`, [
            { field: 'path:id', message: 'no such evidence' },
          ]);
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
