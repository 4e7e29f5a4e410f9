import { z } from 'zod';

/** JWS `typ` of a signed answer about one certificate (`GET /v1/status/:id` with `Accept: application/jwt`). */
export const STATUS_TYP = 'cabc-status+jwt';
/** JWS `typ` of the signed list of an organization's certificates (`GET /v1/status-lists/:org`). */
export const STATUS_LIST_TYP = 'cabc-status-list+jwt';

/** What the public status endpoint answers (OCSP-like); `good` is an issued certificate inside its validity. */
export const publicStatuses = ['good', 'suspended', 'revoked', 'expired', 'withdrawn', 'unknown'] as const;
export const publicStatusSchema = z.enum(publicStatuses);
export type PublicStatus = z.infer<typeof publicStatusSchema>;

/** The answer about one certificate, as JSON or as the claims of a `cabc-status+jwt` (with iss, sub, iat, exp). */
export const statusAnswerSchema = z.object({
  certificateId: z.string(),
  status: publicStatusSchema,
  thisUpdate: z.string(),
  /** When to ask again at the latest; null when the status can never change (revoked, expired, withdrawn). */
  nextUpdate: z.string().nullable(),
  revokedAt: z.string().nullable(),
  reasonCode: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type StatusAnswer = z.infer<typeof statusAnswerSchema>;

export const signedStatusClaimsSchema = statusAnswerSchema.extend({
  iss: z.string().min(1),
  sub: z.string(),
  iat: z.number().int(),
  exp: z.number().int().optional(),
});
export type SignedStatusClaims = z.infer<typeof signedStatusClaimsSchema>;

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
