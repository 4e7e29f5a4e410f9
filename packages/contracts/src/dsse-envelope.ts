import { z } from 'zod';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64 or base64url');

export const dsseEnvelopeSchema = z.strictObject({
  payload: base64.max(14_000_000),
  payloadType: z.string().min(1).max(256),
  signatures: z
    .array(z.strictObject({ keyid: z.string().max(256).optional(), sig: base64.min(1).max(1024) }))
    .min(1)
    .max(16),
});
export type DsseEnvelope = z.infer<typeof dsseEnvelopeSchema>;
