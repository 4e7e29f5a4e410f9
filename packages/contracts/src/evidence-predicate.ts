import { z } from 'zod';

/** The evidence predicate's type URI; the trailing version changes only with an incompatible schema change. */
export const EVIDENCE_PREDICATE_TYPE = 'https://cabc.dev/attestations/evidence/v1';

export const evidenceKinds = [
  'dataset',
  'data_quality',
  'model_architecture',
  'model_parameters',
  'performance',
  'evaluation',
  'fairness',
  'feature_importance',
  'explanation',
  'robustness',
  'drift',
  'model_card',
  'provenance',
] as const;
export const evidenceKindSchema = z.enum(evidenceKinds);
export type EvidenceKind = z.infer<typeof evidenceKindSchema>;

const shortText = z.string().min(1).max(256);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters (sha256)');

export const measurementSchema = z.strictObject({
  name: shortText,
  value: z.union([z.number(), z.string().max(1024), z.boolean(), z.null()]),
  unit: shortText.optional(),
  slice: shortText.optional(),
});
export type Measurement = z.infer<typeof measurementSchema>;

export const checkStatuses = ['pass', 'warn', 'fail', 'error'] as const;
export const checkSchema = z.strictObject({
  name: shortText,
  status: z.enum(checkStatuses),
  detail: z.string().max(4096).optional(),
});
export type Check = z.infer<typeof checkSchema>;

export const producerSchema = z.strictObject({
  tool: shortText,
  toolVersion: shortText.optional(),
  adapter: shortText.optional(),
  pipelineRunId: shortText.optional(),
  uri: z.string().max(2048).optional(),
});

export const evidenceContextSchema = z.strictObject({
  dataset: shortText.optional(),
  split: shortText.optional(),
  slice: shortText.optional(),
  environment: shortText.optional(),
});

export const rawArtifactSchema = z.strictObject({
  digest: z.strictObject({ sha256: sha256Hex }),
  mediaType: shortText,
  uri: z.string().max(2048).optional(),
});

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64 or base64url');

/**
 * A third party's DSSE-wrapped in-toto statement (SLSA provenance, a verification summary, a test result, a link),
 * relayed unchanged: payload type, payload and signatures exactly as the third party signed them. The assessment
 * verifies it against the approved scope's `attestationKeys` (docs/evidence.md#third-party-attestations).
 */
export const relayedAttestationSchema = z.strictObject({
  /** How it was delivered: `application/vnd.in-toto+json` (an envelope or a .intoto.jsonl line) or a Sigstore bundle's. */
  mediaType: shortText,
  envelope: z.strictObject({
    payloadType: shortText,
    payload: base64.max(1_000_000),
    signatures: z
      .array(z.strictObject({ keyid: z.string().max(1024).optional(), sig: base64.min(1).max(2048) }))
      .min(1)
      .max(16),
  }),
});
export type RelayedAttestation = z.infer<typeof relayedAttestationSchema>;

/**
 * How much one piece of evidence may say. The same caps bound what a CEL rule can iterate over, so a rule's static
 * cost estimate (packages/rules) holds for every evidence the services accept.
 */
export const EVIDENCE_LIMITS = Object.freeze({ measurements: 1000, checks: 1000, subjects: 64 });

export const evidencePredicateSchema = z.strictObject({
  /** The target of evaluation (ML system) this evidence is about; signed, so it cannot be rerouted. */
  toe: shortText,
  kind: evidenceKindSchema,
  producer: producerSchema,
  observedAt: z.iso.datetime({ offset: true }),
  context: evidenceContextSchema.default({}),
  measurements: z.array(measurementSchema).max(EVIDENCE_LIMITS.measurements).default([]),
  checks: z.array(checkSchema).max(EVIDENCE_LIMITS.checks).default([]),
  raw: rawArtifactSchema.optional(),
  /** Third-party in-toto attestations relayed as `provenance` evidence; their claims are read only once verified. */
  attestations: z.array(relayedAttestationSchema).min(1).max(64).optional(),
  /**
   * Who handed the evidence to the collector (from their bearer token). The auditor accepts evidence for a ToE only
   * from its own organization, so a collector shared by several organizations cannot be used across them.
   */
  submitter: z.strictObject({ org: shortText, subject: shortText, role: z.enum(['pipeline', 'auditee']) }).optional(),
});
export type EvidencePredicate = z.infer<typeof evidencePredicateSchema>;
