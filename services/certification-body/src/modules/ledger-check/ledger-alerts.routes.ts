import { z } from 'zod';
import { allowRoles } from '@cabc/auth';
import { problemResponses, type Server, type ZodTypeProvider } from '@cabc/http-kit';
import type { AuditorCheckpointsRepository } from './auditor-checkpoints.repository.ts';

/**
 * What the cross-check of the auditor's ledger refused: checkpoints that did not verify, forks, rewritten history.
 * About the auditor, not about one organization, and made of public ledger data: any certification body operator or
 * administrator may read it.
 */
export function registerLedgerAlertRoutes(app: Server, deps: { checkpoints: AuditorCheckpointsRepository }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/ledger-alerts',
    {
      config: allowRoles('certification_body', 'admin'),
      schema: {
        tags: ['audit'],
        summary: "Alerts of the cross-check of the auditor's evidence ledger, newest first",
        security: [{ bearer: [] }],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number().int(),
                kind: z.string(),
                detail: z.string(),
                checkpointSize: z.number().int().nullable(),
                notes: z.string(),
                callbackJti: z.string().nullable(),
                toe: z.string().nullable(),
                at: z.string(),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({ items: await deps.checkpoints.alerts(request.query.limit) }),
  );
}
