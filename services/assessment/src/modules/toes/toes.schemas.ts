import { z } from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters (sha256)');
const artifactSchema = z.strictObject({ name: z.string().min(1).max(256), sha256: sha256Hex });

export const riskClasses = ['minimal', 'limited', 'high', 'general_purpose'] as const;

export const toeInputSchema = z.strictObject({
  name: z.string().min(1).max(256),
  businessPurpose: z.string().min(1).max(4096),
  fieldOfOperation: z.string().min(1).max(256),
  /** EU AI Act risk class; unacceptable-risk systems cannot be certified, so there is no such value. */
  riskClass: z.enum(riskClasses),
  owner: z.string().min(1).max(256).describe('Accountable person or team at the auditee'),
  artifacts: z
    .strictObject({
      models: z.array(artifactSchema).max(64).default([]),
      datasets: z.array(artifactSchema).max(64).default([]),
    })
    .default({ models: [], datasets: [] })
    .describe('Digests of the model(s) and dataset(s) a certificate will be about'),
});
export type ToeInput = z.infer<typeof toeInputSchema>;

export const toeUpdateSchema = toeInputSchema
  .partial()
  .refine((update) => Object.keys(update).length > 0, 'nothing to change');

export const toeViewSchema = toeInputSchema.extend({
  id: z.string(),
  org: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ToeView = z.infer<typeof toeViewSchema>;

export const toeParamsSchema = z.object({ toeId: z.string().regex(/^toe_[0-9a-f]{20}$/, 'not a ToE id') });
