import type { Check } from '@cabc/contracts';
import { z } from 'zod';
import { buildEvidence } from '../../evidence/build-evidence.ts';
import { check, measurement } from '../../evidence/items.ts';
import type { FormatAdapter } from '../../format-adapter.ts';
import {
  boundCheck,
  boundSchema,
  cabcEvidenceBase,
  cabcFormatMatches,
  cabcHeaderShape,
  cabcText,
  parseCabcDocument,
  type Bound,
} from './cabc-document.ts';

const NAME = 'fairness';
const metricName = z.string().trim().min(1).max(128);

const fairnessSchema = z.object({
  ...cabcHeaderShape,
  sensitive_feature: cabcText,
  groups: z
    .array(
      z.object({
        group: cabcText,
        size: z.number().int().nonnegative().optional(),
        metrics: z.record(metricName, z.number()),
      }),
    )
    .min(1)
    .max(1000),
  gaps: z.record(metricName, z.number()).optional(),
  thresholds: z.record(metricName, boundSchema).optional(),
});
type FairnessDocument = z.infer<typeof fairnessSchema>;

/**
 * A threshold applies to the gap of that name when the file reports one (one check), otherwise to that metric in
 * every group (one check per group). A threshold on a metric the file does not report is an `error` check.
 */
function thresholdChecks(document: FairnessDocument, metric: string, bound: Bound): Check[] {
  const gap = document.gaps?.[metric];
  if (gap !== undefined) return [boundCheck(`fairness:${metric}`, gap, bound)];
  const reported = document.groups.some((group) => group.metrics[metric] !== undefined);
  if (!reported) return [check(`fairness:${metric}`, 'error', `${metric} is not reported for any group`)];
  return document.groups.map((group) => {
    const value = group.metrics[metric];
    const name = `fairness:${metric}[${group.group}]`;
    if (value === undefined) return check(name, 'error', `${metric} is not reported for this group`);
    return boundCheck(name, value, bound);
  });
}

export const cabcFairnessAdapter: FormatAdapter = {
  id: 'cabc-fairness',
  title: 'CABC generic fairness results (cabc-fairness/v1)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['fairness'],
  detection: 'an object with `format: "cabc-fairness/v1"`',
  matches: (value) => cabcFormatMatches(NAME, value),
  adapt(value, context) {
    const document = parseCabcDocument(NAME, fairnessSchema, value);
    const feature = document.sensitive_feature;
    const measurements = [
      measurement('sensitive_feature', feature),
      ...document.groups.flatMap((group) => {
        const slice = `${feature}=${group.group}`;
        return [
          ...(group.size === undefined ? [] : [measurement('group_size', group.size, { slice })]),
          ...Object.entries(group.metrics).map(([metric, value]) => measurement(metric, value, { slice })),
        ];
      }),
      ...Object.entries(document.gaps ?? {}).map(([metric, value]) => measurement(metric, value, { slice: feature })),
    ];
    const checks = Object.entries(document.thresholds ?? {}).flatMap(([metric, bound]) =>
      thresholdChecks(document, metric, bound),
    );
    return [buildEvidence(context, { ...cabcEvidenceBase(document, NAME), kind: 'fairness', measurements, checks })];
  },
};
