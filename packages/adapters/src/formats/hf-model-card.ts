import type { Measurement } from '@cabc/contracts';
import { buildEvidence, type AdaptContext } from '../evidence/build-evidence.ts';
import { readArray, requireRecord } from '../evidence/field-readers.ts';
import { measurement } from '../evidence/items.ts';
import { parseMetricValue } from '../evidence/metric-value.ts';
import { presenceChecks } from '../evidence/presence-checks.ts';
import { isRecord, recordOf, textOf, textsOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';
import type { AdaptedEvidence } from '../types.ts';

const TOOL = 'huggingface-model-card';
const cardKeys = [
  'model-index',
  'license',
  'datasets',
  'language',
  'base_model',
  'pipeline_tag',
  'library_name',
  'tags',
];
/** Card metadata fields copied as text measurements, one per listed value. */
const listedFields = [
  'license',
  'license_name',
  'language',
  'datasets',
  'base_model',
  'library_name',
  'pipeline_tag',
  'tags',
];

function frontMatterOf(value: unknown): JsonRecord | undefined {
  const frontMatter = isRecord(value) ? value.frontMatter : undefined;
  return isRecord(frontMatter) && cardKeys.some((key) => key in frontMatter) ? frontMatter : undefined;
}

/**
 * One performance item per `model-index[].results[]` entry. The dataset's config (what the Hub calls a subset)
 * becomes the context slice.
 */
function resultEvidence(context: AdaptContext, result: unknown, path: string): AdaptedEvidence {
  const entry = requireRecord(result, path);
  const task = recordOf(entry.task);
  const dataset = recordOf(entry.dataset);
  const metrics = readArray(entry, 'metrics', path) ?? [];
  const measurements: Measurement[] = metrics.map((item, index) => {
    const metric = requireRecord(item, childPath(childPath(path, 'metrics'), index));
    const parsed = parseMetricValue(metric.value);
    return measurement(textOf(metric.type) ?? textOf(metric.name) ?? `metric ${index}`, parsed.value, {
      unit: parsed.unit,
    });
  });
  const taskType = textOf(task.type) ?? textOf(task.name);
  return buildEvidence(context, {
    kind: 'performance',
    producer: { tool: TOOL },
    context: {
      dataset: textOf(dataset.type) ?? textOf(dataset.name),
      slice: textOf(dataset.config),
      split: textOf(dataset.split),
    },
    measurements: [...(taskType ? [measurement('task', taskType)] : []), ...measurements],
  });
}

export const hfModelCardAdapter: FormatAdapter = {
  id: 'hf-model-card',
  title: 'Hugging Face model card (README.md front matter, model-index)',
  syntax: 'markdown',
  mediaType: 'text/markdown',
  kinds: ['model_card', 'performance'],
  detection:
    'Markdown starting with `---` YAML front matter that has card metadata (model-index, license, datasets, …)',
  filenameHint: /(^|[\\/])README\.md$/i,
  matches: (value) => frontMatterOf(value) !== undefined,
  adapt(value, context) {
    const frontMatter = frontMatterOf(value);
    if (!frontMatter) return [];
    const modelIndex = readArray(frontMatter, 'model-index', '') ?? [];
    const models = modelIndex.map((item, index) => ({
      model: requireRecord(item, childPath('model-index', index)),
      index,
    }));
    const card = buildEvidence(context, {
      kind: 'model_card',
      producer: { tool: TOOL },
      measurements: [
        ...models.flatMap(({ model }) => textsOf(model.name).map((name) => measurement('model_name', name))),
        ...listedFields.flatMap((field) => textsOf(frontMatter[field]).map((text) => measurement(field, text))),
      ],
      checks: presenceChecks({
        license: frontMatter.license,
        datasets: frontMatter.datasets,
        language: frontMatter.language,
        base_model: frontMatter.base_model,
        'model-index': modelIndex,
      }),
    });
    const performance = models.flatMap(({ model, index }) => {
      const modelPath = childPath('model-index', index);
      const results = readArray(model, 'results', modelPath) ?? [];
      return results.map((result, resultIndex) =>
        resultEvidence(context, result, childPath(childPath(modelPath, 'results'), resultIndex)),
      );
    });
    return [card, ...performance];
  },
};
