import { z } from 'zod';
import {
  checkSchema,
  evidenceContextSchema,
  evidenceKindSchema,
  measurementSchema,
  producerSchema,
  rawArtifactSchema,
  resourceDescriptorSchema,
} from '@cabc/contracts';

/** The unified evidence a pipeline sends: the predicate's fields plus the subjects (model / dataset digests). */
export const unifiedEvidenceSchema = z.strictObject({
  toe: z.string().min(1).max(256).describe('Target of evaluation (ML system) id'),
  subject: z.array(resourceDescriptorSchema).min(1).max(64).describe('Model / dataset the evidence is about'),
  kind: evidenceKindSchema,
  producer: producerSchema,
  observedAt: z.iso.datetime({ offset: true }),
  context: evidenceContextSchema.optional(),
  measurements: z.array(measurementSchema).max(10_000).optional(),
  checks: z.array(checkSchema).max(10_000).optional(),
  raw: rawArtifactSchema.optional(),
});
export type UnifiedEvidence = z.infer<typeof unifiedEvidenceSchema>;

export const deliveryStateSchema = z.object({
  status: z.enum(['pending', 'delivered', 'rejected']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  /** The assessment service's answer: evidence id, sequence number and its signed receipt. */
  receipt: z.unknown().nullable(),
});

export const evidenceViewSchema = z.object({
  id: z.uuid(),
  toe: z.string(),
  kind: z.string(),
  envelopeSha256: z.string(),
  statementSha256: z.string(),
  createdAt: z.string(),
  delivery: deliveryStateSchema,
});
export type EvidenceView = z.infer<typeof evidenceViewSchema>;

export const idempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only, at most 128')
    .optional(),
});
