import { z } from 'zod';
import { buildEvidence } from '../../evidence/build-evidence.ts';
import { measurement } from '../../evidence/items.ts';
import type { FormatAdapter } from '../../format-adapter.ts';
import { cabcEvidenceBase, cabcFormatMatches, cabcHeaderShape, cabcText, parseCabcDocument } from './cabc-document.ts';

const NAME = 'feature-importance';

const featureImportanceSchema = z.object({
  ...cabcHeaderShape,
  method: cabcText,
  /** The class or output the importances explain, for multi-output models. */
  target: cabcText.optional(),
  features: z
    .array(z.object({ name: cabcText, importance: z.number(), std: z.number().nonnegative().optional() }))
    .min(1)
    // Two measurements per feature must stay under the predicate's 10,000.
    .max(4000),
});

export const cabcFeatureImportanceAdapter: FormatAdapter = {
  id: 'cabc-feature-importance',
  title: 'CABC generic feature importance (cabc-feature-importance/v1)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['feature_importance'],
  detection: 'an object with `format: "cabc-feature-importance/v1"`',
  matches: (value) => cabcFormatMatches(NAME, value),
  adapt(value, context) {
    const document = parseCabcDocument(NAME, featureImportanceSchema, value);
    const ranked = [...document.features].sort((a, b) => Math.abs(b.importance) - Math.abs(a.importance));
    const base = cabcEvidenceBase(document, NAME);
    return [
      buildEvidence(context, {
        ...base,
        kind: 'feature_importance',
        context: { ...base.context, slice: document.target },
        measurements: [
          measurement('method', document.method),
          measurement('feature_count', document.features.length),
          measurement('top_feature', ranked[0]?.name),
          ...document.features.flatMap((feature) => [
            measurement('importance', feature.importance, { slice: feature.name }),
            ...(feature.std === undefined ? [] : [measurement('importance_std', feature.std, { slice: feature.name })]),
          ]),
        ],
      }),
    ];
  },
};
