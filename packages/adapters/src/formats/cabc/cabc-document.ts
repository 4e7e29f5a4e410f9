import type { Check } from '@cabc/contracts';
import { z } from 'zod';
import { AdapterError } from '../../adapter-error.ts';
import type { EvidenceDraft } from '../../evidence/build-evidence.ts';
import { check } from '../../evidence/items.ts';
import { isRecord } from '../../evidence/values.ts';
import { invalidFromZod } from '../../zod-issue-error.ts';

/*
 * The CABC generic formats share a header: a `format` marker (`cabc-<name>/v<major>`, used for detection),
 * an optional `$schema` for editors, who produced the file, when, and about which model and data.
 */

export const cabcText = z.string().trim().min(1).max(256);

export const cabcHeaderShape = {
  format: z.string(),
  $schema: z.string().max(2048).optional(),
  tool: cabcText.optional(),
  tool_version: cabcText.optional(),
  pipeline_run_id: cabcText.optional(),
  observed_at: z.iso.datetime({ offset: true }).optional(),
  model: z
    .object({
      name: cabcText,
      sha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters')
        .optional(),
      uri: z.string().max(2048).optional(),
    })
    .optional(),
  dataset: cabcText.optional(),
  split: cabcText.optional(),
  environment: cabcText.optional(),
};

const headerSchema = z.object(cabcHeaderShape);
type CabcHeader = z.infer<typeof headerSchema>;

export function cabcFormatMatches(name: string, value: unknown): boolean {
  return isRecord(value) && typeof value.format === 'string' && value.format.startsWith(`cabc-${name}/`);
}

/** Checks the marker's major version, then validates; errors name the offending field by its path. */
export function parseCabcDocument<T extends z.ZodType>(name: string, schema: T, value: unknown): z.output<T> {
  const marker = isRecord(value) ? value.format : undefined;
  if (marker !== `cabc-${name}/v1`) {
    throw new AdapterError(
      'unsupported_version',
      `format: "${String(marker)}" is not supported; use "cabc-${name}/v1"`,
      {
        field: 'format',
      },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidFromZod(parsed.error);
  return parsed.data;
}

/** Producer, time, context and subject taken from the shared header. */
export function cabcEvidenceBase(header: CabcHeader, name: string): Omit<EvidenceDraft, 'kind'> {
  const { model } = header;
  return {
    producer: {
      tool: header.tool ?? `cabc-${name}`,
      toolVersion: header.tool_version,
      pipelineRunId: header.pipeline_run_id,
    },
    observedAt: header.observed_at === undefined ? undefined : new Date(header.observed_at).toISOString(),
    context: { dataset: header.dataset, split: header.split, environment: header.environment },
    subjects: model?.sha256
      ? [{ name: model.name, ...(model.uri ? { uri: model.uri } : {}), digest: { sha256: model.sha256.toLowerCase() } }]
      : [],
  };
}

export const boundSchema = z
  .object({ min: z.number().optional(), max: z.number().optional() })
  .refine((bound) => bound.min !== undefined || bound.max !== undefined, 'give min, max or both');
export type Bound = z.infer<typeof boundSchema>;

/** A check that `value` lies within the bound (inclusive). */
export function boundCheck(name: string, value: number, bound: Bound): Check {
  const tooLow = bound.min !== undefined && value < bound.min;
  const tooHigh = bound.max !== undefined && value > bound.max;
  const limits = [
    bound.min === undefined ? undefined : `min ${bound.min}`,
    bound.max === undefined ? undefined : `max ${bound.max}`,
  ].filter((limit) => limit !== undefined);
  return check(name, tooLow || tooHigh ? 'fail' : 'pass', `${value} (${limits.join(', ')})`);
}
