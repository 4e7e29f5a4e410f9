import { z } from 'zod';
import { INT32_MAX, postureSchema, requirementStatusSchema } from '@cabc/contracts';
import { NotFoundProblem, problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import type { DryRunService } from './dry-run.service.ts';
import type { DryRunJobs } from './dry-run.jobs.ts';

/** How long a client waits before asking again about a dry run that is not finished. */
const POLL_AFTER_SECONDS = 1;

const dryRunJobSchema = z.object({
  id: z.uuid(),
  state: z.enum(['queued', 'running', 'completed', 'failed']),
  toeId: z.string(),
  version: z.number().int(),
  /** Where to ask for the result. */
  location: z.string(),
  error: z.string().optional(),
});

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

export function registerDryRunRoutes(app: Server, dryRun: DryRunService, jobs: DryRunJobs): void {
  app.post(
    '/v1/toes/:toeId/scopes/:version/dry-run',
    {
      config: allowedTo('scope:dry_run'),
      schema: {
        tags: ['scopes'],
        summary: "Start evaluating a scope version (a draft too) against the ToE's stored evidence; nothing is stored",
        description:
          'The dry run runs in the dry-run worker under a time budget (DRY_RUN_TIME_BUDGET); the answer is 202 with ' +
          'the Location of the job to poll (GET /v1/dry-runs/{id}).',
        security: [{ bearer: [] }],
        params: toeParamsSchema.extend({ version: z.coerce.number().int().positive().max(INT32_MAX) }),
        response: { 202: dryRunJobSchema, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'scope:dry_run');
      const asked = await dryRun.request(principal, request.params.toeId, request.params.version);
      const id = await jobs.enqueue(asked);
      const location = `/v1/dry-runs/${id}`;
      return reply
        .code(202)
        .header('location', location)
        .header('retry-after', String(POLL_AFTER_SECONDS))
        .send({ id, state: 'queued' as const, toeId: asked.toe, version: asked.version, location });
    },
  );

  app.get(
    '/v1/dry-runs/:id',
    {
      config: allowedTo('scope:dry_run'),
      schema: {
        tags: ['scopes'],
        summary: 'A dry run: 202 while it is queued or running, 200 with its result (or why it failed) once done',
        security: [{ bearer: [] }],
        params: z.object({ id: z.uuid() }),
        response: {
          200: dryRunJobSchema.extend({ result: dryRunSchema.optional() }),
          202: dryRunJobSchema,
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'scope:dry_run');
      const job = await jobs.find(request.params.id, principal.org);
      if (!job)
        throw new NotFoundProblem(`no dry run ${request.params.id}`, [
          { field: 'path:id', message: 'unknown dry run' },
        ]);
      const view = {
        id: job.id,
        state: job.state,
        toeId: job.request.toe,
        version: job.request.version,
        location: `/v1/dry-runs/${job.id}`,
        ...(job.error === undefined ? {} : { error: job.error }),
      };
      if (job.state === 'queued' || job.state === 'running')
        return reply.code(202).header('retry-after', String(POLL_AFTER_SECONDS)).send(view);
      const result = job.state === 'completed' ? { result: dryRunSchema.parse(job.result) } : {};
      return reply.code(200).send({ ...view, ...result });
    },
  );
}
