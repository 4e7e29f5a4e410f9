import { z } from 'zod';
import { postureSchema, requirementStatusSchema } from '@cabc/contracts';
import { NotFoundProblem, problemResponses, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { InForceScopes } from '../evaluation/in-force-scope.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';

const postureViewSchema = z.object({
  toe: z.string(),
  scopeVersion: z.number().int().nullable(),
  posture: postureSchema,
  sequence: z.number().int(),
  assessmentId: z.string().nullable(),
  updatedAt: z.string().nullable(),
  requirements: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      severity: z.string(),
      critical: z.boolean(),
      status: requirementStatusSchema,
      reason: z.string(),
      details: z.unknown(),
      evidenceIds: z.array(z.string()),
      evaluatedAt: z.string().nullable(),
    }),
  ),
});

export function registerPostureRoutes(
  app: Server,
  deps: { evaluations: EvaluationRepository; inForce: InForceScopes; toes: ToesRepository },
): void {
  app.get(
    '/v1/toes/:toeId/posture',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags: ['posture'],
        summary: "A ToE's compliance posture under its approved scope, and the newest result of each requirement",
        security: [{ bearer: [] }],
        params: toeParamsSchema,
        response: { 200: postureViewSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'posture:read');
      const { toeId } = request.params;
      const toe = await deps.toes.findInOrg(toeId, principal.org);
      if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      const [inForce, posture] = await Promise.all([deps.inForce.of(toeId), deps.evaluations.posture(toeId)]);
      const results = await deps.evaluations.latestResults(
        toeId,
        inForce?.requirements.map((entry) => entry.requirement.id) ?? [],
      );
      return {
        toe: toeId,
        scopeVersion: inForce?.scope.version ?? null,
        posture: posture?.posture ?? 'pending',
        sequence: posture?.sequence ?? 0,
        assessmentId: posture?.assessmentId ?? null,
        updatedAt: posture?.updatedAt.toISOString() ?? null,
        requirements: (inForce?.requirements ?? []).map(({ requirement }) => {
          const result = results.get(requirement.id);
          return {
            id: requirement.id,
            title: requirement.title,
            severity: requirement.severity,
            critical: requirement.critical,
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
