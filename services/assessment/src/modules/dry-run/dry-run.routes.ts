import { z } from 'zod';
import { INT32_MAX, postureSchema, requirementStatusSchema } from '@cabc/contracts';
import { problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import type { DryRunService } from './dry-run.service.ts';

const dryRunSchema = z.object({
  toeId: z.string(),
  version: z.number().int(),
  state: z.string(),
  evaluatedAt: z.string(),
  evidenceConsidered: z.number().int(),
  posture: postureSchema,
  criticalFailed: z.boolean(),
  requirements: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: requirementStatusSchema,
      reason: z.string(),
      details: z.unknown(),
      evidenceIds: z.array(z.string()),
      /** The evidence the requirement's result read, newest first. */
      read: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          tool: z.string(),
          observedAt: z.string(),
          receivedAt: z.string(),
          /** The measurements the selector matched in it (selector rules only). */
          measurements: z.array(z.string()),
        }),
      ),
      /** Metric names of the requirement's selector that no evidence of the ToE ever carried (allowed). */
      neverSeen: z.array(z.string()),
    }),
  ),
  timeline: z.array(
    z.object({
      at: z.string(),
      evidenceId: z.string(),
      posture: postureSchema,
      changes: z.array(z.object({ requirementId: z.string(), status: requirementStatusSchema })),
    }),
  ),
});

export function registerDryRunRoutes(app: Server, dryRun: DryRunService): void {
  app.post(
    '/v1/toes/:toeId/scopes/:version/dry-run',
    {
      config: allowedTo('scope:dry_run'),
      schema: {
        tags: ['scopes'],
        summary: "Evaluate a scope version (a draft too) against the ToE's stored evidence; nothing is stored",
        security: [{ bearer: [] }],
        params: toeParamsSchema.extend({ version: z.coerce.number().int().positive().max(INT32_MAX) }),
        response: { 200: dryRunSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => dryRun.run(authorize(request, 'scope:dry_run'), request.params.toeId, request.params.version),
  );
}
