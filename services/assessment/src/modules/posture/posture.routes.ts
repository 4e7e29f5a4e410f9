import { z } from 'zod';
import { postureSchema, requirementStatusSchema } from '@cabc/contracts';
import { NotFoundProblem, problemResponses, type Server } from '@cabc/http-kit';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { Requirement } from '../evaluation/requirements.ts';

const postureViewSchema = z.object({
  toe: z.string(),
  posture: postureSchema,
  sequence: z.number().int(),
  assessmentId: z.string(),
  updatedAt: z.string(),
  requirements: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: requirementStatusSchema,
      reason: z.string(),
      details: z.unknown(),
      evidenceIds: z.array(z.string()),
      evaluatedAt: z.string().nullable(),
    }),
  ),
});

export function registerPostureRoutes(app: Server, deps: { evaluations: EvaluationRepository; requirements: readonly Requirement[] }): void {
  app.get(
    '/v1/toes/:toe/posture',
    {
      schema: {
        tags: ['posture'],
        summary: "A ToE's compliance posture and the newest result of each requirement",
        params: z.object({ toe: z.string().min(1).max(256) }),
        response: { 200: postureViewSchema, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { toe } = request.params;
      const posture = await deps.evaluations.posture(toe);
      if (!posture) throw new NotFoundProblem(`no assessment for ToE ${toe} yet`, [{ field: 'path:toe', message: 'no assessment yet' }]);
      const results = await deps.evaluations.latestResults(toe);
      return {
        toe,
        posture: posture.posture,
        sequence: posture.sequence,
        assessmentId: posture.assessmentId,
        updatedAt: posture.updatedAt.toISOString(),
        requirements: deps.requirements.map((requirement) => {
          const result = results.get(requirement.id);
          return {
            id: requirement.id,
            title: requirement.title,
            status: result?.status ?? 'pending',
            reason: result?.reason ?? 'not evaluated yet',
            details: result?.details ?? [],
            evidenceIds: result?.evidenceIds ?? [],
            evaluatedAt: result?.evaluatedAt.toISOString() ?? null,
          };
        }),
      };
    },
  );
}
