import { z } from 'zod';
import { certificateStates, certificateStatusAt, publicStatuses, reasonName } from '../../domain/index.ts';
import type { CertificateEventRecord, CertificateRecord } from '../certifications/certification.repository.ts';

export const certificateSchema = z.object({
  id: z.string(),
  toe: z.string(),
  org: z.string(),
  scopeVersion: z.number().int(),
  certificationId: z.string(),
  /** The recorded lifecycle state. */
  state: z.enum(certificateStates),
  /** The status at the time of the answer (as GET /v1/status answers it: `expired` as soon as validity ended). */
  status: z.enum(publicStatuses),
  reasonCode: z.number().int(),
  reason: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** The certificate itself: a JWT signed by the certification body (verify with /.well-known/jwks.json). */
  token: z.string(),
});

export const historySchema = z.array(
  z.object({
    id: z.number().int().optional(),
    from: z.string(),
    to: z.string(),
    reasonCode: z.number().int(),
    reason: z.string(),
    cause: z.unknown(),
    at: z.string(),
  }),
);

export function certificateView(certificate: CertificateRecord, now: Date): z.infer<typeof certificateSchema> {
  return {
    id: certificate.id,
    toe: certificate.toe,
    org: certificate.org,
    scopeVersion: certificate.scopeVersion,
    certificationId: certificate.certificationId,
    state: certificate.state,
    status: certificateStatusAt(certificate, now).status,
    reasonCode: certificate.reasonCode,
    reason: reasonName(certificate.reasonCode),
    issuedAt: certificate.issuedAt.toISOString(),
    expiresAt: certificate.expiresAt.toISOString(),
    revokedAt: certificate.revokedAt?.toISOString() ?? null,
    updatedAt: certificate.updatedAt.toISOString(),
    token: certificate.token,
  };
}

export function historyView(history: CertificateEventRecord[]): z.infer<typeof historySchema> {
  return history.map((event) => ({ ...event, at: event.at.toISOString() }));
}
