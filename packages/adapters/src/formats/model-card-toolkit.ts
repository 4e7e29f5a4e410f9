import type { Measurement } from '@cabc/contracts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { readArray, requireRecord, requireString } from '../evidence/field-readers.ts';
import { measurement } from '../evidence/items.ts';
import { parseMetricValue } from '../evidence/metric-value.ts';
import { presenceChecks } from '../evidence/presence-checks.ts';
import { arrayOf, isRecord, recordOf, textOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';

const TOOL = 'model-card-toolkit';
const considerationKeys = ['users', 'use_cases', 'limitations', 'tradeoffs', 'ethical_considerations'];

/**
 * Schema 0.0.1 lists plain strings (`license`, `references: [url]`); 0.0.2 lists objects
 * (`licenses: [{identifier | custom_text}]`, `references: [{reference}]`, `owners: [{name}]`).
 */
function itemTexts(value: unknown, ...keys: string[]): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.flatMap((item) => {
    const text = isRecord(item)
      ? keys.map((key) => textOf(item[key])).find((found) => found !== undefined)
      : textOf(item);
    return text === undefined ? [] : [text];
  });
}

/** 0.0.1 keeps data sets in an object (`{train, eval}`), 0.0.2 in a list. */
function datasetNames(data: unknown): string[] {
  const sets = Array.isArray(data) ? data : isRecord(data) ? Object.values(data) : [];
  return sets.flatMap((set) => textOf(recordOf(set).name) ?? []);
}

function cardMeasurements(card: JsonRecord, licenses: string[]): Measurement[] {
  const details = recordOf(card.model_details);
  const version = recordOf(details.version);
  const parameters = recordOf(card.model_parameters);
  const considerations = recordOf(card.considerations);
  const optional: [string, unknown][] = [
    ['schema_version', card.schema_version],
    ['model_name', details.name],
    ['version', version.name],
    ['version_date', version.date],
    ['model_architecture', parameters.model_architecture],
  ];
  return [
    ...optional.flatMap(([name, value]) => (textOf(value) === undefined ? [] : [measurement(name, textOf(value))])),
    ...itemTexts(details.owners, 'name').map((owner) => measurement('owner', owner)),
    ...licenses.map((license) => measurement('license', license)),
    ...datasetNames(parameters.data).map((name) => measurement('dataset', name)),
    measurement('reference_count', itemTexts(details.references, 'reference').length),
    ...considerationKeys.map((key) => measurement(`considerations.${key}`, arrayOf(considerations[key]).length)),
  ];
}

/** Each metric, plus its decision threshold and confidence bounds under the same slice; text values are parsed. */
function performanceMeasurements(metrics: unknown[]): Measurement[] {
  return metrics.flatMap((item, index) => {
    const path = childPath(childPath('quantitative_analysis', 'performance_metrics'), index);
    const metric = requireRecord(item, path);
    const type = requireString(metric, 'type', path);
    const slice = textOf(metric.slice);
    const interval = recordOf(metric.confidence_interval);
    const parts: [string, unknown][] = [
      [type, metric.value],
      [`${type}.threshold`, metric.threshold],
      [`${type}.ci_lower`, interval.lower_bound],
      [`${type}.ci_upper`, interval.upper_bound],
    ];
    return parts
      .filter(([name, value]) => name === type || (value !== undefined && value !== null))
      .map(([name, value]) => {
        const parsed = parseMetricValue(value);
        return measurement(name, parsed.value, { unit: parsed.unit, slice });
      });
  });
}

export const modelCardToolkitAdapter: FormatAdapter = {
  id: 'model-card-toolkit',
  title: 'Model Card Toolkit JSON (schema 0.0.1 and 0.0.2)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['model_card', 'performance'],
  detection: 'an object with a `model_details` or `quantitative_analysis` object (and no JSON-LD `@context`)',
  matches: (value) =>
    isRecord(value) &&
    !('@context' in value) &&
    (isRecord(value.model_details) || isRecord(value.quantitative_analysis)),
  adapt(value, context) {
    if (!isRecord(value)) return [];
    const details = recordOf(value.model_details);
    const considerations = recordOf(value.considerations);
    const metrics =
      readArray(recordOf(value.quantitative_analysis), 'performance_metrics', 'quantitative_analysis') ?? [];
    const licenses = [...itemTexts(details.license), ...itemTexts(details.licenses, 'identifier', 'custom_text')];
    const producer = { tool: TOOL };
    const card = buildEvidence(context, {
      kind: 'model_card',
      producer,
      measurements: cardMeasurements(value, licenses),
      checks: presenceChecks({
        overview: details.overview,
        owners: details.owners,
        license: licenses,
        use_cases: considerations.use_cases,
        limitations: considerations.limitations,
        ethical_considerations: considerations.ethical_considerations,
        performance_metrics: metrics,
      }),
    });
    if (metrics.length === 0) return [card];
    return [
      card,
      buildEvidence(context, { kind: 'performance', producer, measurements: performanceMeasurements(metrics) }),
    ];
  },
};
