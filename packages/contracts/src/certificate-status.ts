import { z } from 'zod';

/** JWS `typ` of a signed answer about one certificate (`GET /v1/status/:id` with `Accept: application/jwt`). */
export const STATUS_TYP = 'cabc-status+jwt';
/** JWS `typ` of the signed list of an organization's certificates (`GET /v1/status-lists/:org`). */
export const STATUS_LIST_TYP = 'cabc-status-list+jwt';

/** What the public status endpoint answers (OCSP-like); `good` is an issued certificate inside its validity. */
export const publicStatuses = ['good', 'suspended', 'revoked', 'expired', 'withdrawn', 'unknown'] as const;
export const publicStatusSchema = z.enum(publicStatuses);
export type PublicStatus = z.infer<typeof publicStatusSchema>;

/** The model and dataset digests a certificate is about, pinned by the approved scope. */
export const certifiedArtifactsSchema = z.object({
  models: z.array(z.object({ name: z.string(), sha256: z.string() })),
  datasets: z.array(z.object({ name: z.string(), sha256: z.string() })),
});
export type CertifiedArtifacts = z.infer<typeof certifiedArtifactsSchema>;

/** The answer about one certificate, as JSON or as the claims of a `cabc-status+jwt` (with iss, sub, iat, exp). */
export const statusAnswerSchema = z.object({
  certificateId: z.string(),
  /**
   * sha256 (hex) of the certificate JWT this answer is about (its compact serialization, as issued): binds the answer
   * to that certificate, as an OCSP response names the certificate's hash. Null for `unknown`.
   */
  certificateDigest: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  status: publicStatusSchema,
  thisUpdate: z.string(),
  /** When to ask again at the latest; null when the status can never change (revoked, expired, withdrawn). */
  nextUpdate: z.string().nullable(),
  revokedAt: z.string().nullable(),
  reasonCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  /** What the certificate is about, so a verifier can tell whether a model file is the certified one; null if unknown. */
  artifacts: certifiedArtifactsSchema.nullable(),
});
export type StatusAnswer = z.infer<typeof statusAnswerSchema>;

/**
 * Claims of a `cabc-status+jwt`: the answer, signed by the certification body. `sub` is the certificate id, `iat` is
 * thisUpdate and `exp` is nextUpdate (absent when the status can never change), so an old answer cannot be replayed
 * as fresh.
 */
export const signedStatusClaimsSchema = statusAnswerSchema.extend({
  iss: z.string().min(1),
  sub: z.string(),
  iat: z.number().int(),
  exp: z.number().int().optional(),
});
export type SignedStatusClaims = z.infer<typeof signedStatusClaimsSchema>;

/** `GET /v1/status/:id` as JSON: the answer and, in `jws`, the same answer signed (typ cabc-status+jwt). */
export const statusResponseSchema = statusAnswerSchema.extend({
  jws: z.string().describe('compact JWS (typ cabc-status+jwt) whose claims are this answer; verify it, not the JSON'),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export const statusListEntrySchema = z.object({
  id: z.string(),
  toe: z.string(),
  scopeVersion: z.number().int(),
  status: publicStatusSchema.exclude(['unknown']),
  reasonCode: z.number().int(),
  reason: z.string(),
  since: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type StatusListEntry = z.infer<typeof statusListEntrySchema>;

/** Claims of a `cabc-status-list+jwt`: every certificate of the organization `sub` with its status. */
export const statusListClaimsSchema = z.object({
  iss: z.string().min(1),
  /** The organization. */
  sub: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
  thisUpdate: z.string(),
  nextUpdate: z.string(),
  /** True when the organization has more certificates than the list holds: a verifier must not read it as whole. */
  truncated: z.boolean(),
  certificates: z.array(statusListEntrySchema),
});
export type StatusListClaims = z.infer<typeof statusListClaimsSchema>;
