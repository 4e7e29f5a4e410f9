import { z } from 'zod';
import { formats } from '@cabc/adapters';
import {
  checkSchema,
  EVIDENCE_LIMITS,
  evidenceContextSchema,
  evidenceKindSchema,
  measurementSchema,
  producerSchema,
  rawArtifactSchema,
  resourceDescriptorSchema,
} from '@cabc/contracts';
import { pageQuerySchema, pageSchema } from '@cabc/http-kit';

/** The unified evidence a pipeline sends: the predicate's fields plus the subjects (model / dataset digests). */
export const unifiedEvidenceSchema = z.strictObject({
  toe: z.string().min(1).max(256).describe('Target of evaluation (ML system) id'),
  subject: z.array(resourceDescriptorSchema).min(1).max(64).describe('Model / dataset the evidence is about'),
  kind: evidenceKindSchema,
  producer: producerSchema,
  observedAt: z.iso.datetime({ offset: true }),
  context: evidenceContextSchema.optional(),
  measurements: z.array(measurementSchema).max(EVIDENCE_LIMITS.measurements).optional(),
  checks: z.array(checkSchema).max(EVIDENCE_LIMITS.checks).optional(),
  raw: rawArtifactSchema.optional(),
});
export type UnifiedEvidence = z.infer<typeof unifiedEvidenceSchema>;

const oneOrMany = z
  .union([z.string().max(600), z.array(z.string().max(600)).max(64)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

/** Query of POST /v1/evidence. `toe` switches to a native tool file as the body. */
export const submitQuerySchema = z.strictObject({
  toe: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Target of evaluation; given, the body is a native tool output file'),
  format: z.enum(formats).optional().describe('The file format; detected from the content when absent'),
  model: oneOrMany.optional().describe('The model the file is about, <name>@sha256:<hex> (repeatable)'),
  subject: oneOrMany
    .optional()
    .describe('Any artefact the file is about, <name>@sha256:<hex> (repeatable; same as model)'),
  filename: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^/\\\u0000-\u001f]+$/, 'a file name without directories')
    .optional()
    .describe('The file name, used as a format hint (MLmodel, README.md) and recorded'),
});

export const deliveryStateSchema = z.object({
  status: z
    .enum(['pending', 'delivered', 'rejected', 'dead_letter'])
    .describe('dead_letter: its retry schedule ran out (an operator may redeliver it); rejected: refused for good'),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  /** The assessment service's answer: evidence id, sequence number and its signed receipt. */
  receipt: z.unknown().nullable(),
});

export const evidenceViewSchema = z.object({
  id: z.uuid(),
  submissionId: z.uuid(),
  toe: z.string(),
  kind: z.string(),
  /** The adapter format of the native file it came from; null for unified evidence. */
  format: z.string().nullable(),
  file: z.string().nullable(),
  /** sha256 of the untouched tool output (GET /v1/raw/{sha256}); null for unified evidence. */
  rawSha256: z.string().nullable(),
  envelopeSha256: z.string(),
  statementSha256: z.string(),
  createdAt: z.string(),
  delivery: deliveryStateSchema,
});
export type EvidenceView = z.infer<typeof evidenceViewSchema>;

export const submissionViewSchema = z.object({
  id: z.uuid(),
  toe: z.string(),
  createdAt: z.string(),
  /** One signed statement per evidence item of every file, in file order. */
  evidence: z.array(evidenceViewSchema),
});
export type SubmissionView = z.infer<typeof submissionViewSchema>;

export const evidencePageSchema = pageSchema(evidenceViewSchema);

export const listQuerySchema = pageQuerySchema.extend({
  toe: z.string().min(1).max(256).optional(),
});

export const idempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only, at most 128')
    .optional(),
});
