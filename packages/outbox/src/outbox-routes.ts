import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import {
  BadRequestProblem,
  decodeCursor,
  encodeCursor,
  pageQuerySchema,
  pageSchema,
  problemResponses,
  type RouteAccess,
  type Server,
} from '@cabc/http-kit';
import type { OutboxProducer } from './outbox-pipeline.ts';
import type { OutboxRepository } from './outbox.repository.ts';

const undeliveredSchema = z.object({
  id: z.number().int(),
  topic: z.string(),
  orderingKey: z.string().describe('Messages with the same key are delivered in order (for evidence: the ToE)'),
  destination: z.string(),
  status: z.enum(['rejected', 'dead_letter']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  responseStatus: z.number().int().nullable(),
  createdAt: z.string(),
  deadLetteredAt: z.string().nullable(),
});

const countsSchema = z.object({
  pending: z.number().int(),
  delivered: z.number().int(),
  rejected: z.number().int(),
  dead_letter: z.number().int(),
});

const cursorSchema = z.object({ id: z.number().int().positive() });

const redeliverBodySchema = z.strictObject({
  ids: z
    .array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
    .min(1)
    .max(1_000)
    .optional()
    .describe('The messages to redeliver; absent: every dead letter and rejected message'),
});

/** A service that takes its bodies as bytes (the collector: evidence is digested as sent) parses this one here. */
async function jsonFromBytes(request: { body: unknown }): Promise<void> {
  if (!Buffer.isBuffer(request.body)) return;
  const text = request.body.toString('utf8');
  try {
    request.body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new BadRequestProblem('the body is not JSON', [{ field: 'body', message: 'not JSON' }]);
  }
}

/**
 * The operators' view of an outbox: what could not be delivered (dead letters: the retry schedule ran out; rejected:
 * the receiver refused for good) and redelivery with a fresh schedule. `operate` is the route options that guard
 * both routes: the access they declare and, where the service needs it, a further check.
 */
export function registerOutboxRoutes(
  app: Server,
  deps: {
    outbox: OutboxRepository;
    producer: OutboxProducer;
    operate: { config: { access: RouteAccess }; preHandler?: preHandlerHookHandler };
    /**
     * The ordering keys the caller may see and redeliver (the ToEs of its organization); every message when absent
     * or when it answers undefined (a service that has one operating organization).
     */
    visibleKeys?: (request: FastifyRequest) => Promise<string[] | undefined>;
  },
): void {
  app.get(
    '/v1/outbox/undelivered',
    {
      schema: {
        tags: ['operations'],
        summary: 'Outbox messages not delivered: dead letters and rejected ones, newest first, with the outbox counts',
        security: [{ bearer: [] }],
        querystring: pageQuerySchema,
        response: {
          200: pageSchema(undeliveredSchema).extend({ counts: countsSchema }),
          ...problemResponses(400, 401, 403),
        },
      },
      ...deps.operate,
    },
    async (request) => {
      const position = decodeCursor(request.query.cursor, cursorSchema);
      const limit = request.query.limit;
      const orderingKeys = await deps.visibleKeys?.(request);
      const rows = await deps.outbox.undelivered({ limit: limit + 1, beforeId: position?.id, orderingKeys });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const counts = await deps.outbox.countByStatus(orderingKeys);
      return {
        items: page.map((row) => ({
          ...row,
          createdAt: row.createdAt.toISOString(),
          deadLetteredAt: row.deadLetteredAt?.toISOString() ?? null,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
        counts: {
          pending: counts.pending ?? 0,
          delivered: counts.delivered ?? 0,
          rejected: counts.rejected ?? 0,
          dead_letter: counts.dead_letter ?? 0,
        },
      };
    },
  );

  app.post(
    '/v1/outbox/redeliver',
    {
      schema: {
        tags: ['operations'],
        summary: 'Hand dead letters and rejected messages back to delivery, with a fresh retry schedule',
        description:
          'Each goes back to pending and is delivered like a new message, in id order within its ordering key; ' +
          'messages of its key that were delivered meanwhile are not held back. Ids that are not undelivered are ignored.',
        security: [{ bearer: [] }],
        body: redeliverBodySchema,
        response: { 200: z.object({ redelivered: z.array(z.number().int()) }), ...problemResponses(400, 401, 403) },
      },
      ...deps.operate,
      preValidation: jsonFromBytes,
    },
    async (request) => {
      const redelivered = await deps.outbox.redeliver(request.body.ids, await deps.visibleKeys?.(request));
      if (redelivered.length > 0) {
        request.log.info({ count: redelivered.length }, 'outbox messages handed back to delivery');
        await deps.producer.kick(redelivered);
      }
      return { redelivered };
    },
  );
}
