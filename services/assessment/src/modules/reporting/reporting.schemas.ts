import { z } from 'zod';
import { postureSchema, requirementStatusSchema } from '@cabc/contracts';
import { pageQuerySchema } from '@cabc/http-kit';

export const sessionSchema = z.object({ subject: z.string(), org: z.string(), role: z.string() });

const statusCounts = z.object({
  total: z.number().int(),
  compliant: z.number().int(),
  non_compliant: z.number().int(),
  pending: z.number().int(),
  error: z.number().int(),
});

export const toeSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  riskClass: z.string(),
  owner: z.string(),
  createdAt: z.string(),
  posture: postureSchema,
  postureSequence: z.number().int(),
  postureUpdatedAt: z.string().nullable(),
  lastObservedAt: z.string().nullable(),
  scope: z.object({
    inForceVersion: z.number().int().nullable(),
    latestVersion: z.number().int().nullable(),
    latestState: z.string().nullable(),
  }),
  requirements: statusCounts,
});

export const verificationSchema = z.object({
  state: z.enum(['verified', 'key_not_in_scope', 'failed']),
  envelopeDigest: z.enum(['matches', 'mismatch']),
  signature: z.enum(['valid', 'invalid', 'unknown_key']),
  keyid: z.string(),
  keyInScope: z.boolean(),
  receipt: z.enum(['valid', 'invalid']),
  detail: z.string().nullable(),
});

export const evidenceItemSchema = z.object({
  id: z.string(),
  sequence: z.number().int(),
  kind: z.string(),
  observedAt: z.string(),
  receivedAt: z.string(),
  envelopeSha256: z.string(),
  statementSha256: z.string(),
  keyid: z.string(),
  logIndex: z.number().int().nullable(),
  producer: z.unknown(),
  context: z.unknown(),
  measurements: z.array(z.unknown()).describe('the first 20 measurements'),
  measurementCount: z.number().int(),
  checks: z.array(z.unknown()).describe('the first 20 checks'),
  checkCount: z.number().int(),
  raw: z
    .unknown()
    .describe('digest and media type of the untouched tool output (kept by the auditee’s collector), if any'),
  subjects: z.unknown(),
  receipt: z.string().describe('JWS signed by this service at receipt (typ cabc-receipt+jwt)'),
  verification: verificationSchema,
  links: z.object({
    envelope: z.string().describe('the DSSE envelope exactly as received'),
    evidence: z.string(),
    inclusionProof: z.string().nullable(),
    raw: z.string().nullable().describe('path of the raw artifact at the auditee’s evidence collector'),
  }),
});

export const evidenceQuerySchema = pageQuerySchema.extend({ kind: z.string().max(64).optional() });

export const resultItemSchema = z.object({
  id: z.number().int(),
  requirementId: z.string(),
  status: requirementStatusSchema,
  previousStatus: requirementStatusSchema.nullable(),
  reason: z.string(),
  details: z.unknown(),
  evidenceIds: z.array(z.string()),
  evaluatedAt: z.string(),
});

export const resultsQuerySchema = pageQuerySchema.extend({
  requirement: z.string().max(64).optional(),
  changesOnly: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('only results whose status differs from the previous result of the same requirement'),
});

const selectorFields = {
  kind: z.string().min(1).max(64),
  metric: z.string().min(1).max(256),
  dataset: z.string().max(256).optional(),
  split: z.string().max(256).optional(),
  slice: z.string().max(256).optional(),
};

export const thresholdSchema = z.object({
  requirementId: z.string(),
  title: z.string(),
  severity: z.string(),
  critical: z.boolean(),
  selector: z.object(selectorFields),
  operator: z.string(),
  target: z.number(),
});

export const metricsCatalogSchema = z.object({
  thresholds: z.array(thresholdSchema),
  measured: z.array(
    z.object({
      kind: z.string(),
      metric: z.string(),
      dataset: z.string().nullable(),
      split: z.string().nullable(),
      slice: z.string().nullable(),
      points: z.number().int(),
      firstAt: z.string(),
      lastAt: z.string(),
    }),
  ),
});

export const seriesQuerySchema = z.object({
  ...selectorFields,
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  points: z.coerce
    .number()
    .int()
    .min(16)
    .max(5_000)
    .default(1_000)
    .describe('at most this many points; more are downsampled'),
});

export const seriesSchema = z.object({
  selector: z.object(selectorFields),
  from: z.string().nullable(),
  to: z.string().nullable(),
  total: z.number().int().describe('measurements in the window'),
  downsampled: z.boolean(),
  points: z.array(z.object({ at: z.string(), value: z.number(), evidenceId: z.string() })),
  thresholds: z.array(thresholdSchema),
});
