import { z } from 'zod';
import { int32Positive } from './storable-text.ts';
import { postureSchema, requirementStatusSchema } from './statuses.ts';

/** JWS `typ` of a posture callback; the certification body refuses any other type on this route. */
export const POSTURE_CALLBACK_TYP = 'cabc-posture+jwt';
export const POSTURE_CALLBACK_AUDIENCE = 'certification-body';

export const requirementChangeSchema = z.strictObject({
  requirementId: z.string().min(1).max(128),
  status: requirementStatusSchema,
  previousStatus: requirementStatusSchema.nullable(),
  reason: z.string().max(2048),
  evidenceIds: z.array(z.string().max(128)).max(1000),
});

/**
 * Claims of the JWS the assessment service sends when a ToE's posture changes (`posture.changed`), and at every
 * heartbeat interval to re-state an unchanged posture (`posture.restated`, with no changes): a certification body that
 * hears neither for its policy's window suspends the certificate (reason assessment_silent).
 */
export const postureCallbackClaimsSchema = z.strictObject({
  iss: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number().int(),
  jti: z.string().min(1).max(128),
  type: z.enum(['posture.changed', 'posture.restated']),
  toe: z.string().min(1).max(256),
  /** The approved scope version the posture was assessed against; the certification body acts only on its certification. */
  scopeVersion: int32Positive(),
  /** Monotonic per ToE over changes and re-statements, so the receiver applies them in order and ignores older ones. */
  sequence: int32Positive(),
  assessmentId: z.string().min(1).max(128),
  posture: postureSchema,
  previousPosture: postureSchema.nullable(),
  /** True when a requirement flagged critical is non-compliant: the certification body may revoke at once. */
  criticalFailed: z.boolean(),
  assessedAt: z.iso.datetime({ offset: true }),
  /**
   * The auditor's signed evidence-ledger checkpoint (C2SP signed note) covering every evidence this assessment read:
   * the certification body keeps it with the decision, so the decision can be checked against the log later.
   * Null when the auditor runs without a ledger.
   */
  ledgerCheckpoint: z
    .strictObject({
      size: z.number().int().nonnegative(),
      rootHash: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 of a SHA-256 hash'),
      note: z.string().min(1).max(8192),
    })
    .nullable(),
  changes: z.array(requirementChangeSchema).max(1000),
});
export type PostureCallbackClaims = z.infer<typeof postureCallbackClaimsSchema>;
