import { z } from 'zod';
import { publicStatusSchema } from './certificate-status.ts';

/** What subscribers are told a transition was (the webhook `type`). */
export const certificateEventTypes = [
  'certificate.issued',
  'certificate.suspended',
  'certificate.reinstated',
  'certificate.revoked',
  'certificate.expired',
  'certificate.withdrawn',
] as const;
export const certificateEventTypeSchema = z.enum(certificateEventTypes);
export type CertificateEventType = z.infer<typeof certificateEventTypeSchema>;

/** The body a webhook subscriber receives for one certificate transition (Standard Webhooks: type, timestamp, data). */
export const certificateWebhookSchema = z.object({
  type: certificateEventTypeSchema,
  timestamp: z.string(),
  data: z.object({
    eventId: z.number().int(),
    certificateId: z.string(),
    certificationId: z.string(),
    toe: z.string(),
    toeName: z.string(),
    org: z.string(),
    scopeVersion: z.number().int(),
    scopeDigest: z.string(),
    from: z.string(),
    to: z.string(),
    status: publicStatusSchema,
    reasonCode: z.number().int(),
    reason: z.string(),
    detail: z.string(),
    cause: z.unknown(),
    at: z.string(),
    issuedAt: z.string(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    statusUrl: z.string().optional(),
  }),
});
export type CertificateWebhook = z.infer<typeof certificateWebhookSchema>;
