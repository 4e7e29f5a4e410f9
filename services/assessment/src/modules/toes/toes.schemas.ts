import { z } from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters (sha256)');
const artifactSchema = z.strictObject({ name: z.string().min(1).max(256), sha256: sha256Hex });

const artifactsSchema = z.strictObject({
  models: z.array(artifactSchema).max(64).default([]),
  datasets: z.array(artifactSchema).max(64).default([]),
});

export const riskClasses = ['minimal', 'limited', 'high', 'general_purpose'] as const;

export const toeInputSchema = z.strictObject({
  name: z.string().min(1).max(256),
  businessPurpose: z.string().min(1).max(4096),
  fieldOfOperation: z.string().min(1).max(256),
  /** EU AI Act risk class; unacceptable-risk systems cannot be certified, so there is no such value. */
  riskClass: z.enum(riskClasses),
  owner: z.string().min(1).max(256).describe('Accountable person or team at the auditee'),
  artifacts: artifactsSchema
    .default({ models: [], datasets: [] })
    .describe('Digests of the model(s) and dataset(s) a certificate will be about'),
});
export type ToeInput = z.infer<typeof toeInputSchema>;

// Without the input's default: a PATCH that does not name artifacts leaves them as they are.
export const toeUpdateSchema = toeInputSchema
  .extend({ artifacts: artifactsSchema })
  .partial()
  .refine((update) => Object.keys(update).length > 0, 'nothing to change');

export const toeViewSchema = toeInputSchema.extend({
  id: z.string(),
  org: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /**
   * Artifacts a PATCH proposed after approval: they take effect when the scope version carrying them is approved
   * (`artifacts` stays what the approved version pins until then).
   */
  pendingArtifacts: z
    .object({
      models: z.array(artifactSchema),
      datasets: z.array(artifactSchema),
      scopeVersion: z.number().int(),
      state: z.string(),
    })
    .optional(),
});
export type ToeView = z.infer<typeof toeViewSchema>;
export interface ToeUpdateResult {
  toe: ToeView;
  /** True when the artifacts await approval of a scope version (answered 202 Accepted). */
  pending: boolean;
}

export const toeParamsSchema = z.object({ toeId: z.string().regex(/^toe_[0-9a-f]{20}$/, 'not a ToE id') });
