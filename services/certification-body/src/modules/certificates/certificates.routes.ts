import { z } from 'zod';
import { NotFoundProblem, problemResponses, type Server } from '@cabc/http-kit';
import { REASON_CODES } from '../../domain/index.ts';
import type { CertificationRepository } from '../certifications/certification.repository.ts';

const reasonNames = new Map<number, string>(Object.entries(REASON_CODES).map(([name, code]) => [code, name]));

const certificateSchema = z.object({
  id: z.string(),
  toe: z.string(),
  certificationId: z.string(),
  state: z.enum(['issued', 'suspended', 'revoked', 'expired', 'withdrawn']),
  reasonCode: z.number().int(),
  reason: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** The certificate itself: a JWT signed by the certification body (verify with /.well-known/jwks.json). */
  token: z.string(),
});

const historySchema = z.array(
  z.object({
    from: z.string(),
    to: z.string(),
    reasonCode: z.number().int(),
    reason: z.string(),
    cause: z.unknown(),
    at: z.string(),
  }),
);

export function registerCertificateRoutes(app: Server, certifications: CertificationRepository): void {
  const view = (certificate: NonNullable<Awaited<ReturnType<CertificationRepository['certificate']>>>) => ({
    id: certificate.id,
    toe: certificate.toe,
    certificationId: certificate.certificationId,
    state: certificate.state,
    reasonCode: certificate.reasonCode,
    reason: reasonNames.get(certificate.reasonCode) ?? 'unspecified',
    issuedAt: certificate.issuedAt.toISOString(),
    expiresAt: certificate.expiresAt.toISOString(),
    revokedAt: certificate.revokedAt?.toISOString() ?? null,
    updatedAt: certificate.updatedAt.toISOString(),
    token: certificate.token,
  });

  app.get(
    '/v1/certificates',
    {
      schema: {
        tags: ['certificates'],
        summary: "A ToE's certificates, newest first",
        querystring: z.object({ toe: z.string().min(1).max(256), limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: z.object({ items: z.array(certificateSchema) }), ...problemResponses(400) },
      },
    },
    async (request) => ({ items: (await certifications.certificatesOf(request.query.toe, request.query.limit)).map(view) }),
  );

  app.get(
    '/v1/certificates/:id',
    {
      schema: {
        tags: ['certificates'],
        summary: 'A certificate, its current state and its full history',
        params: z.object({ id: z.uuid() }),
        response: { 200: certificateSchema.extend({ history: historySchema }), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const certificate = await certifications.certificate(request.params.id);
      if (!certificate) throw new NotFoundProblem(`no certificate ${request.params.id}`, [{ field: 'path:id', message: 'no such certificate' }]);
      const history = await certifications.history(certificate.id);
      return {
        ...view(certificate),
        history: history.map((event) => ({ ...event, at: event.at.toISOString() })),
      };
    },
  );
}
