import { z } from 'zod';
import { postureSchema } from './statuses.ts';

/** JWS `typ` of a certificate signed by the certification body. */
export const CERTIFICATE_TYP = 'cabc-certificate+jwt';

const isoTime = z.iso.datetime({ offset: true });

/** Claims of a certificate (EdDSA, the certification body's key); anyone can check it offline against its JWKS. */
export const certificateClaimsSchema = z.object({
  iss: z.string().min(1),
  /** The certificate id (also `jti`). */
  sub: z.uuid(),
  jti: z.uuid(),
  iat: z.number().int(),
  nbf: z.number().int(),
  exp: z.number().int(),
  toe: z.string().min(1),
  toeName: z.string(),
  org: z.string().min(1),
  /** The approved scope version the certificate is about, and the SHA-256 of its canonical document. */
  scope: z.object({ version: z.number().int().positive(), digest: z.string().regex(/^[0-9a-f]{64}$/) }),
  requirements: z.object({
    total: z.number().int().nonnegative(),
    critical: z.number().int().nonnegative(),
    items: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        severity: z.enum(['low', 'medium', 'high', 'critical']),
        critical: z.boolean(),
      }),
    ),
  }),
  validity: z.object({ notBefore: isoTime, notAfter: isoTime }),
  /** The certification (decision state per ToE and scope version) the certificate belongs to. */
  certification: z.string().min(1),
  /** The auditor's assessment the certificate was issued on; null before any posture arrived. */
  assessment: z
    .object({ id: z.string(), sequence: z.number().int(), posture: postureSchema, assessedAt: isoTime })
    .nullable(),
  /** Where the live status is answered (present when the certification body knows its public URL). */
  status: z.object({ url: z.url(), list: z.url() }).optional(),
});
export type CertificateClaims = z.infer<typeof certificateClaimsSchema>;
