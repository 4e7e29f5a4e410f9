import { z } from 'zod';
import { buildEvidence } from '../../evidence/build-evidence.ts';
import { measurement } from '../../evidence/items.ts';
import type { FormatAdapter } from '../../format-adapter.ts';
import {
  boundCheck,
  boundSchema,
  cabcEvidenceBase,
  cabcFormatMatches,
  cabcHeaderShape,
  cabcText,
  parseCabcDocument,
} from './cabc-document.ts';

const NAME = 'robustness';
const share = z.number().min(0).max(1);
const thresholdMetrics = ['clean_accuracy', 'adversarial_accuracy', 'accuracy_drop'] as const;

const robustnessSchema = z.object({
  ...cabcHeaderShape,
  attacks: z
    .array(
      z.object({
        attack: cabcText,
        norm: cabcText.optional(),
        eps: z.number().nonnegative().optional(),
        samples: z.number().int().positive().optional(),
        clean_accuracy: share,
        adversarial_accuracy: share,
      }),
    )
    .min(1)
    .max(1000),
  thresholds: z
    .object({
      clean_accuracy: boundSchema.optional(),
      adversarial_accuracy: boundSchema.optional(),
      accuracy_drop: boundSchema.optional(),
    })
    .optional(),
});

/** Subtraction of two shares leaves float noise (0.93 - 0.41 = 0.52000000000000002); 12 digits are plenty. */
function difference(a: number, b: number): number {
  return Number((a - b).toPrecision(12));
}

export const cabcRobustnessAdapter: FormatAdapter = {
  id: 'cabc-robustness',
  title: 'CABC generic robustness results (cabc-robustness/v1)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['robustness'],
  detection: 'an object with `format: "cabc-robustness/v1"`',
  matches: (value) => cabcFormatMatches(NAME, value),
  adapt(value, context) {
    const document = parseCabcDocument(NAME, robustnessSchema, value);
    const attacks = document.attacks.map((attack) => {
      const slice = [attack.attack, attack.norm, attack.eps === undefined ? undefined : `eps=${attack.eps}`]
        .filter((part) => part !== undefined)
        .join(' ');
      return { ...attack, slice, accuracy_drop: difference(attack.clean_accuracy, attack.adversarial_accuracy) };
    });
    const measurements = [
      measurement('attacks', attacks.length),
      measurement('worst_adversarial_accuracy', Math.min(...attacks.map((attack) => attack.adversarial_accuracy))),
      ...attacks.flatMap((attack) => [
        measurement('clean_accuracy', attack.clean_accuracy, { slice: attack.slice }),
        measurement('adversarial_accuracy', attack.adversarial_accuracy, { slice: attack.slice }),
        measurement('accuracy_drop', attack.accuracy_drop, { slice: attack.slice }),
        ...(attack.eps === undefined ? [] : [measurement('eps', attack.eps, { slice: attack.slice })]),
        ...(attack.samples === undefined ? [] : [measurement('samples', attack.samples, { slice: attack.slice })]),
      ]),
    ];
    const checks = thresholdMetrics.flatMap((metric) => {
      const bound = document.thresholds?.[metric];
      if (!bound) return [];
      return attacks.map((attack) => boundCheck(`robustness:${metric}[${attack.slice}]`, attack[metric], bound));
    });
    return [buildEvidence(context, { ...cabcEvidenceBase(document, NAME), kind: 'robustness', measurements, checks })];
  },
};
