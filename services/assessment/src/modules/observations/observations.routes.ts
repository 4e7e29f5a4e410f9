import { z } from 'zod';
import { problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import {
  confirmBodySchema,
  dismissBodySchema,
  observationListQuerySchema,
  observationParamsSchema,
  observationSchema,
  observationView,
} from './observations.schemas.ts';
import type { ObservationsService } from './observations.service.ts';

export function registerObservationRoutes(app: Server, observations: ObservationsService): void {
  app.get(
    '/v1/toes/:toeId/observations',
    {
      config: allowedTo('observation:read'),
      schema: {
        tags: ['observations'],
        summary: "The anomaly and gaming observations on a ToE's evidence stream, oldest first; never verdicts",
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        querystring: observationListQuerySchema,
        response: { 200: z.object({ items: z.array(observationSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await observations.list(authorize(request, 'observation:read'), request.params.toeId, request.query)).map(
        observationView,
      ),
    }),
  );

  app.post(
    '/v1/toes/:toeId/observations/:observationId/confirm',
    {
      config: allowedTo('observation:decide'),
      schema: {
        tags: ['observations'],
        summary: 'Confirm an open observation: it becomes a manual finding on a requirement until validUntil',
        security: [{ bearer: [] }],
        params: observationParamsSchema,
        body: confirmBodySchema,
        response: { 200: observationSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      observationView(
        await observations.confirm(
          authorize(request, 'observation:decide'),
          request.params.toeId,
          request.params.observationId,
          request.body,
        ),
      ),
  );

  app.post(
    '/v1/toes/:toeId/observations/:observationId/dismiss',
    {
      config: allowedTo('observation:decide'),
      schema: {
        tags: ['observations'],
        summary: 'Dismiss an open observation, with the reason',
        security: [{ bearer: [] }],
        params: observationParamsSchema,
        body: dismissBodySchema,
        response: { 200: observationSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      observationView(
        await observations.dismiss(
          authorize(request, 'observation:decide'),
          request.params.toeId,
          request.params.observationId,
          request.body,
        ),
      ),
  );
}
