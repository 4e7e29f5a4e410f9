import { z } from 'zod';
import { decodeCursor, encodeCursor, pageQuerySchema, pageSchema, problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeInputSchema, toeParamsSchema, toeUpdateSchema, toeViewSchema } from './toes.schemas.ts';
import type { ToesService } from './toes.service.ts';

export function registerToeRoutes(app: Server, toes: ToesService): void {
  app.post(
    '/v1/toes',
    {
      config: allowedTo('toe:create'),
      schema: {
        tags: ['targets of evaluation'],
        summary: 'Register a target of evaluation (an ML system) of your organization',
        security: [{ bearer: [] }],
        body: toeInputSchema,
        response: { 201: toeViewSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'toe:create');
      const toe = await toes.create(principal, request.body);
      return reply.code(201).header('location', `/v1/toes/${toe.id}`).send(toe);
    },
  );

  app.get(
    '/v1/toes',
    {
      config: allowedTo('toe:read'),
      schema: {
        tags: ['targets of evaluation'],
        summary: "Your organization's targets of evaluation",
        security: [{ bearer: [] }],
        querystring: pageQuerySchema,
        response: { 200: pageSchema(toeViewSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'toe:read');
      const after = decodeCursor(request.query.cursor, z.object({ createdAt: z.string(), id: z.string() }));
      const page = await toes.list(principal, { limit: request.query.limit, ...(after ? { after } : {}) });
      const last = page.items.at(-1);
      return {
        items: page.items,
        nextCursor: page.more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
      };
    },
  );

  app.get(
    '/v1/toes/:toeId',
    {
      config: allowedTo('toe:read'),
      schema: {
        tags: ['targets of evaluation'],
        summary: 'One target of evaluation',
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        response: { 200: toeViewSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => toes.get(authorize(request, 'toe:read'), request.params.toeId),
  );

  app.patch(
    '/v1/toes/:toeId',
    {
      config: allowedTo('toe:update'),
      schema: {
        tags: ['targets of evaluation'],
        summary: "Change a target of evaluation's description or artifact digests",
        description:
          'Artifacts pinned by an approved scope do not change at once: the change goes into a scope version ' +
          '(202, `pendingArtifacts`) that takes effect when the auditor approves it.',
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        body: toeUpdateSchema,
        response: { 200: toeViewSchema, 202: toeViewSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await toes.update(authorize(request, 'toe:update'), request.params.toeId, request.body);
      return reply.code(result.pending ? 202 : 200).send(result.toe);
    },
  );
}
