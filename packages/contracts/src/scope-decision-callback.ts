import { z } from 'zod';
import { int32Positive } from './storable-text.ts';

/** One pinned artifact: its name and the sha256 (lowercase hex) of its bytes. */
export const artifactDigestSchema = z.strictObject({
  name: z.string().min(1).max(256),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ArtifactDigest = z.infer<typeof artifactDigestSchema>;

/** JWS `typ` of the auditor's scope decisions sent to the certification body. */
export const SCOPE_DECISION_TYP = 'cabc-scope+jwt';

export const scopeDecisionTypes = ['scope.approved', 'scope.rejected', 'scope.superseded'] as const;

/**
 * Claims of the JWS the assessment service sends when the auditor decides on a scope version. `scope.approved`
 * opens a certification for that ToE and scope version; `scope.superseded` closes the certification of an older
 * version (its certificate is withdrawn); `scope.rejected` is recorded.
 */
export const scopeDecisionClaimsSchema = z.strictObject({
  iss: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number().int(),
  jti: z.string().min(1).max(128),
  type: z.enum(scopeDecisionTypes),
  toe: z.string().min(1).max(256),
  /** The auditee organization the ToE belongs to. */
  org: z.string().min(1).max(64),
  toeName: z.string().min(1).max(256),
  scopeVersion: int32Positive(),
  /** SHA-256 (hex) of the canonical JSON of the scope version's document: what was approved, exactly. */
  scopeDigest: z.string().regex(/^[0-9a-f]{64}$/),
  decidedAt: z.iso.datetime({ offset: true }),
  decidedBy: z.string().min(1).max(256),
  comment: z.string().max(4096).nullable(),
  requirements: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(64),
        title: z.string().min(1).max(256),
        severity: z.enum(['low', 'medium', 'high', 'critical']),
        critical: z.boolean(),
      }),
    )
    .max(1000),
  /**
   * The model and dataset digests the approved version pins: what a certificate under it is about. Absent in
   * decisions about versions approved before artifacts were part of the scope (read as pinning nothing).
   */
  artifacts: z
    .strictObject({
      models: z.array(artifactDigestSchema).max(64),
      datasets: z.array(artifactDigestSchema).max(64),
    })
    .optional(),
  /** For `scope.superseded`: the version that replaced this one. */
  supersededBy: int32Positive().nullable(),
});
export type ScopeDecisionClaims = z.infer<typeof scopeDecisionClaimsSchema>;
