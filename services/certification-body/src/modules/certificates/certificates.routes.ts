import { z } from 'zod';
import { actorOf } from '../common/actor.ts';
import { allowRoles, principalOf } from '@cabc/auth';
import { problemResponses, type Server } from '@cabc/http-kit';
import type { CertificationRepository } from '../certifications/certification.repository.ts';
import type { CertificationService } from '../certifications/certification.service.ts';
import { certificateReaders, orgScopeOf, requestScope } from '../common/access.ts';
import { certificateSchema, certificateView, historySchema, historyView } from './certificate-view.ts';

const security = [{ bearer: [] }];

export function registerCertificateRoutes(
  app: Server,
  deps: { certifications: CertificationRepository; certification: CertificationService },
): void {
  const now = deps.certification.now;

  app.get(
    '/v1/certificates',
    {
      config: allowRoles(...certificateReaders),
      schema: {
        tags: ['certificates'],
        summary: "A ToE's certificates, newest first (every token sees its own organization's only)",
        security,
        querystring: z.object({
          toe: z.string().min(1).max(256),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(certificateSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { scope } = requestScope(request);
      const items = await deps.certifications.certificatesOf({ toe: request.query.toe, scope }, request.query.limit);
      const at = now();
      return { items: items.map((certificate) => certificateView(certificate, at)) };
    },
  );

  app.get(
    '/v1/certificates/:id',
    {
      config: allowRoles(...certificateReaders),
      schema: {
        tags: ['certificates'],
        summary: 'A certificate, its current state and its full history',
        security,
        params: z.object({ id: z.uuid() }),
        response: {
          200: certificateSchema.extend({ history: historySchema }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { scope } = requestScope(request);
      const certificate = await deps.certification.visibleCertificate(request.params.id, scope);
      return {
        ...certificateView(certificate, now()),
        history: historyView(await deps.certifications.history(certificate.id)),
      };
    },
  );

  app.post(
    '/v1/certificates/:id/withdraw',
    {
      // The certification body's own staff only: the auditee asks, it never withdraws itself (docs/authorization.md).
      config: allowRoles('certification_body'),
      schema: {
        tags: ['certificates'],
        summary:
          "Withdraw a certificate at the auditee's request (reason 7 withdrawn_on_request), by the certification body's staff",
        description:
          "The certification body's staff, with a token scoped to the organization that owns the certificate (another organization: 404); " +
          "never the auditee or its organization's admin (403). Terminal: certifying the ToE again needs a new approval. " +
          'The request is kept in the history (cause `request`, the request id) and the audit trail.',
        security,
        params: z.object({ id: z.uuid() }),
        body: z.strictObject({ comment: z.string().trim().min(1, 'say why the certificate is withdrawn').max(2000) }),
        response: {
          200: certificateSchema.extend({ history: historySchema }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const certificate = await deps.certification.withdraw({
        certificateId: request.params.id,
        scope: orgScopeOf(principal),
        actor: actorOf(principal),
        comment: request.body.comment,
        requestId: String(request.id),
      });
      return {
        ...certificateView(certificate, now()),
        history: historyView(await deps.certifications.history(certificate.id)),
      };
    },
  );
}
