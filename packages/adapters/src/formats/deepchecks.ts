import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { checkStatusFromWord } from '../evidence/check-status.ts';
import { readArray, requireRecord } from '../evidence/field-readers.ts';
import { check, measurement } from '../evidence/items.ts';
import { finiteNumber, isRecord, recordOf, textOf } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';

const resultTypes = new Set(['CheckResult', 'CheckFailure']);
/** Per check; a check's value can be a table of thousands of rows. */
const MAX_MEASUREMENTS_PER_CHECK = 100;

interface Suite {
  name: string | undefined;
  results: unknown[];
}

/** A SuiteResult, or a single CheckResult/CheckFailure (`CheckResult.to_json()`) read as a suite of one. */
function suiteOf(value: unknown): Suite | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.type === 'string' && resultTypes.has(value.type) && isRecord(value.check)) {
    return { name: undefined, results: [value] };
  }
  const isSuite =
    Array.isArray(value.results) &&
    (value.type === 'SuiteResult' ||
      value.results.some(
        (result) => isRecord(result) && typeof result.type === 'string' && resultTypes.has(result.type),
      ));
  return isSuite ? { name: textOf(value.name), results: value.results as unknown[] } : undefined;
}

/**
 * Deepchecks' own suites: data integrity is data quality; model evaluation is performance. Train-test validation
 * (and any other suite) mixes drift, leakage and size checks without the drift convention's fields, so it stays
 * `evaluation`.
 */
function suiteKind(name: string | undefined): EvidenceKind {
  if (name && /integrity/i.test(name)) return 'data_quality';
  if (name && /model evaluation|performance/i.test(name)) return 'performance';
  return 'evaluation';
}

/**
 * Only simple values: a number; a map made only of numbers (per column or per class: the key becomes the slice);
 * or the top-level numbers of a mixed object (`Conflicting Labels.percent_of_conflicting_samples`).
 */
function valueMeasurements(checkName: string, value: unknown): Measurement[] {
  const number = finiteNumber(value);
  if (number !== undefined) return [measurement(checkName, number)];
  if (!isRecord(value)) return [];
  const entries = Object.entries(value);
  const numeric = entries.filter(([, item]) => finiteNumber(item) !== undefined).slice(0, MAX_MEASUREMENTS_PER_CHECK);
  if (numeric.length === entries.length) {
    return numeric.map(([key, item]) => measurement(checkName, item, { slice: key }));
  }
  return numeric.map(([key, item]) => measurement(`${checkName}.${key}`, item));
}

function resultItems(item: unknown, index: number): { measurements: Measurement[]; checks: Check[] } {
  const path = childPath('results', index);
  const result = requireRecord(item, path);
  const checkInfo = recordOf(result.check);
  const checkName = textOf(checkInfo.name) ?? textOf(result.header) ?? `check ${index}`;
  if (result.type === 'CheckFailure') {
    return {
      measurements: [],
      checks: [check(checkName, 'error', textOf(result.exception) ?? 'the check failed to run')],
    };
  }
  const conditions = readArray(result, 'conditions_results', path) ?? [];
  const checks = conditions.map((condition, conditionIndex) => {
    const entry = requireRecord(condition, childPath(childPath(path, 'conditions_results'), conditionIndex));
    const conditionName = textOf(entry.Condition) ?? textOf(entry.condition) ?? `condition ${conditionIndex}`;
    const moreInfo = textOf(entry['More Info']) ?? textOf(entry.more_info);
    return check(`${checkName}: ${conditionName}`, checkStatusFromWord(entry.Status ?? entry.status), moreInfo);
  });
  return { measurements: valueMeasurements(checkName, result.value), checks };
}

export const deepchecksAdapter: FormatAdapter = {
  id: 'deepchecks',
  title: 'deepchecks SuiteResult / CheckResult to_json()',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['data_quality', 'performance', 'evaluation'],
  detection:
    'an object with `type: "SuiteResult"` or `results` of `CheckResult`/`CheckFailure` items, or one CheckResult; ' +
    'the JSON may be double-encoded (a JSON string holding the JSON)',
  matches: (value) => suiteOf(value) !== undefined,
  adapt(value, context) {
    const suite = suiteOf(value);
    if (!suite) return [];
    const items = suite.results.map(resultItems);
    return [
      buildEvidence(context, {
        kind: suiteKind(suite.name),
        producer: { tool: 'deepchecks' },
        measurements: [
          ...(suite.name ? [measurement('suite_name', suite.name)] : []),
          ...items.flatMap((item) => item.measurements),
        ],
        checks: items.flatMap((item) => item.checks),
      }),
    ];
  },
};
