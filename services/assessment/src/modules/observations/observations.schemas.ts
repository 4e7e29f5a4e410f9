import { z } from 'zod';
import { signalKinds } from '@cabc/anomaly';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import { observationStates, type StoredObservation } from './observations.repository.ts';

export const observationParamsSchema = toeParamsSchema.extend({ observationId: z.uuid('not an observation id') });

export const observationListQuerySchema = z.strictObject({ state: z.enum(observationStates).optional() });

export const confirmBodySchema = z.strictObject({
  /** The requirement the finding is about. */
  requirementId: z.string().min(1).max(64),
  /** What the finding says about it while it is valid. */
  status: z.enum(['non_compliant', 'error']).default('non_compliant'),
  validUntil: z.iso.datetime({ offset: true }),
  comment: z.string().min(10, 'say why, in at least 10 characters').max(4096).optional(),
});

export const dismissBodySchema = z.strictObject({
  reason: z.string().trim().min(10, 'say why, in at least 10 characters').max(4096),
});

const detailSchema = z.union([
  z.number(),
  z.string(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.number(), z.string()])),
]);

export const observationSchema = z.object({
  id: z.string(),
  toeId: z.string(),
  signal: z.enum(signalKinds),
  /** The evidence kind it is about. */
  kind: z.string(),
  /** 0.5 at the detector's alarm threshold, 0.75 at twice it, never 1 (docs/anomalies.md#scores). */
  score: z.number(),
  /** The evidence that raised it first, then what it was compared with or what completes the pattern. */
  evidenceIds: z.array(z.string()),
  explanation: z.string(),
  details: z.record(z.string(), detailSchema),
  scopeVersion: z.number().int(),
  state: z.enum(observationStates),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  /** The manual finding a confirmation created. */
  findingId: z.string().nullable(),
  createdAt: z.string(),
});

export const observationView = (observation: StoredObservation): z.infer<typeof observationSchema> => ({
  id: observation.id,
  toeId: observation.toeId,
  signal: observation.signal,
  kind: observation.kind,
  score: observation.score,
  evidenceIds: observation.evidenceIds,
  explanation: observation.explanation,
  details: observation.details as Record<string, z.infer<typeof detailSchema>>,
  scopeVersion: observation.scopeVersion,
  state: observation.state,
  decidedBy: observation.decidedBy,
  decidedAt: observation.decidedAt?.toISOString() ?? null,
  decisionReason: observation.decisionReason,
  findingId: observation.findingId,
  createdAt: observation.createdAt.toISOString(),
});
