import { z } from 'zod';
import { signalKinds } from '@cabc/anomaly';
import { evidenceKindSchema, parseDuration } from '@cabc/contracts';

const identifier = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ - only, at most 64');

const duration = z.string().superRefine((text, ctx) => {
  const parsed = parseDuration(text);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

export const riskSchema = z.strictObject({
  id: identifier,
  description: z.string().min(1).max(4096),
  likelihood: z.enum(['rare', 'unlikely', 'possible', 'likely', 'almost_certain']),
  impact: z.enum(['negligible', 'minor', 'moderate', 'major', 'severe']),
});

export const requirementSeveritySchema = z.enum(['low', 'medium', 'high', 'critical']);

export const scopeRequirementSchema = z.strictObject({
  id: identifier,
  title: z.string().min(1).max(256),
  description: z.string().max(8192).default(''),
  severity: requirementSeveritySchema,
  /** Ids of the risks this requirement mitigates. */
  mitigates: z.array(identifier).max(64).default([]),
  /** Catalog controls it maps to, e.g. `EU-AI-ACT:Art.15`, `ISO-25059:robustness`, `AIC4:PF-01`. */
  controls: z.array(z.string().min(1).max(128)).max(64).default([]),
  /** The rule, a typed document of @cabc/rules; compiled when the scope is stored. */
  rule: z.unknown(),
  /** Evidence older than this makes the requirement fail even when nothing new arrives. */
  freshness: duration.optional(),
  /** How long the certification body waits, when this requirement fails, before it revokes. */
  gracePeriod: duration.optional(),
  /** A critical requirement that fails lets the certification body revoke at once. */
  critical: z.boolean().default(false),
  /**
   * Opt-in: while an open anomaly observation (docs/anomalies.md) on a kind this requirement reads has at least this
   * score, a compliant result counts as pending until the auditor confirms or dismisses it.
   */
  anomalies: z
    .strictObject({
      pendingAtScore: z.number().min(0.5, 'scores start at 0.5 (the alarm threshold)').lt(1, 'scores are below 1'),
      /** Only these signals; all of them when absent. */
      signals: z.array(z.enum(signalKinds)).min(1).max(signalKinds.length).optional(),
    })
    .optional(),
  /** The catalog template it was instantiated from, if any. */
  template: z.strictObject({ id: z.string().max(64), catalogVersion: z.string().max(32) }).optional(),
});

export const measurementSchema = z.strictObject({
  requirementId: identifier,
  evidenceKinds: z.array(evidenceKindSchema).min(1).max(13),
  tools: z.array(z.string().min(1).max(128)).max(32).default([]),
  metrics: z.array(z.string().min(1).max(256)).max(256).default([]),
  expectedFrequency: duration,
});

export const collectorKeySchema = z.looseObject({
  kty: z.string(),
  crv: z.string().optional(),
  x: z.string().optional(),
});

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters (sha256)');
const artifactSchema = z.strictObject({ name: z.string().min(1).max(256), sha256: sha256Hex });

/** What the certificate is about: the scope pins it, so changing it needs a new approved version. */
export const scopeArtifactsSchema = z.strictObject({
  models: z.array(artifactSchema).max(64).default([]),
  datasets: z.array(artifactSchema).max(64).default([]),
});
export type ScopeArtifacts = z.output<typeof scopeArtifactsSchema>;

/** A public key a third-party attestation producer (a CI builder, a verifier, a test runner) signs with. */
export const attestationKeySchema = z.strictObject({
  /** Who signs with it, as rules name it (`provenance.build.producer`), e.g. `release-builder`. */
  producer: z.string().regex(/^[A-Za-z0-9._:/@-]{1,256}$/, 'letters, digits and . _ : / @ - only, at most 256'),
  /** A public JWK: Ed25519 (OKP), ECDSA P-256 / P-384 (EC) or RSA of at least 2048 bits. */
  jwk: z.looseObject({ kty: z.string() }),
});

export const scopeDocumentSchema = z.strictObject({
  risks: z.array(riskSchema).max(256).default([]),
  requirements: z.array(scopeRequirementSchema).min(1).max(500),
  measurements: z.array(measurementSchema).max(1000).default([]),
  /** Public Ed25519 JWKs of the evidence collectors allowed to sign evidence for this ToE. */
  collectorKeys: z.array(collectorKeySchema).max(32).default([]),
  /**
   * The model and dataset digests the certificate will be about. Filled from the ToE when a draft names none;
   * absent only in versions written before artifacts were part of the scope (docs/initialization.md).
   */
  artifacts: scopeArtifactsSchema.optional(),
  /** Keys of third-party attestation producers whose DSSE envelopes are accepted as provenance evidence. */
  attestationKeys: z.array(attestationKeySchema).max(32).default([]),
});
export type ScopeDocumentInput = z.input<typeof scopeDocumentSchema>;
export type ScopeDocument = z.output<typeof scopeDocumentSchema>;
export type ScopeRequirement = ScopeDocument['requirements'][number];
