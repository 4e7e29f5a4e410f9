import { z } from 'zod';
import { signedBodyRoute } from '@cabc/auth';
import { problemResponses, type Server } from '@cabc/http-kit';
import type { CollectorApprovals } from './collector-approvals.ts';

export const COLLECTOR_APPROVALS_PATH = '/v1/collector-approvals';

const compactJws = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'expected a compact JWS');

export function registerCollectorApprovalRoutes(app: Server, approvals: CollectorApprovals): void {
  app.post(
    COLLECTOR_APPROVALS_PATH,
    {
      // Authenticated by the tokens in the body, each signed by a collector key; a bearer token is not looked at.
      config: signedBodyRoute,
      schema: {
        tags: ['evidence'],
        summary: 'Which ToEs a collector’s keys may sign evidence for (asked by the collector, with its own keys)',
        description:
          `Each token is a JWT (EdDSA, typ \`cabc-collector-approvals+jwt\`, aud \`cabc-assessment\`, exp at most five ` +
          'minutes after iat) signed by one of the collector’s keys, its kid the RFC 7638 thumbprint. The answer lists ' +
          'the ToEs whose approved scope (or, before the first approval, the version under review) lists one of those ' +
          'keys. 401 when no token verifies, whatever the reason: nothing is revealed to others.',
        body: z.strictObject({ tokens: z.array(compactJws).min(1).max(8) }),
        response: {
          200: z.object({ toes: z.array(z.string()) }),
          ...problemResponses(400, 401, 413, 415),
        },
      },
    },
    async (request) => ({ toes: await approvals.approvedToes(request.body.tokens) }),
  );
}
