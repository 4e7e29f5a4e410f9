import type { Check, Measurement } from '@cabc/contracts';
import { AdapterError } from '../adapter-error.ts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { readBoolean, readNumber, readRecord, requireRecord } from '../evidence/field-readers.ts';
import { check, measurement, type CheckStatus } from '../evidence/items.ts';
import { isoFromText } from '../evidence/timestamps.ts';
import { finiteNumber, isRecord, recordOf, textOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';

interface ExpectationOutcome {
  status: CheckStatus;
  check: Check;
  measurements: Measurement[];
}

/** GE reports an exception either directly (`raised_exception`) or per metric (`{<metric id>: {...}}`). */
function raisedException(exceptionInfo: unknown): string | undefined {
  if (!isRecord(exceptionInfo)) return undefined;
  if (exceptionInfo.raised_exception === true) return textOf(exceptionInfo.exception_message) ?? 'exception raised';
  for (const nested of Object.values(exceptionInfo)) {
    if (isRecord(nested) && nested.raised_exception === true)
      return textOf(nested.exception_message) ?? 'exception raised';
  }
  return undefined;
}

function columnOf(kwargs: JsonRecord): string | undefined {
  const single = textOf(kwargs.column);
  if (single) return single;
  const pair = [textOf(kwargs.column_A), textOf(kwargs.column_B)].filter((column) => column !== undefined);
  return pair.length > 0 ? pair.join(',') : undefined;
}

/**
 * GX 1.x expectations carry a `severity` (critical, the default, warning or info). A failed warning or info
 * expectation did not pass, but its author said it should not fail the data: `warn`.
 */
function failureStatus(severity: string | undefined): CheckStatus {
  return severity === 'warning' || severity === 'info' ? 'warn' : 'fail';
}

function expectationOutcome(item: unknown, index: number): ExpectationOutcome {
  const path = childPath('results', index);
  const result = requireRecord(item, path);
  const configPath = childPath(path, 'expectation_config');
  const config = readRecord(result, 'expectation_config', path) ?? {};
  // 1.x renamed expectation_type to type.
  const type = textOf(config.type) ?? textOf(config.expectation_type);
  if (!type) {
    const field = childPath(configPath, 'type');
    throw new AdapterError('invalid', `${field}: the expectation type (type or expectation_type) is missing`, {
      field,
    });
  }
  const kwargs = recordOf(config.kwargs);
  const column = columnOf(kwargs);
  const name = column ? `${type}:${column}` : type;
  const exception = raisedException(result.exception_info);
  const success = readBoolean(result, 'success', path);
  const severity = textOf(config.severity);
  const status: CheckStatus =
    exception !== undefined
      ? 'error'
      : success === true
        ? 'pass'
        : success === false
          ? failureStatus(severity)
          : 'error';
  const observed = recordOf(result.result);
  // batch_id is an internal handle, not part of what was expected.
  const expected = Object.fromEntries(Object.entries(kwargs).filter(([key]) => key !== 'batch_id'));
  const detail =
    exception ??
    JSON.stringify({
      observed_value: observed.observed_value,
      expected,
      ...(severity && severity !== 'critical' ? { severity } : {}),
    });
  const measurements = [
    ...(finiteNumber(observed.observed_value) !== undefined
      ? [measurement(`${type}.observed_value`, observed.observed_value, { slice: column })]
      : []),
    ...(finiteNumber(observed.unexpected_percent) !== undefined
      ? [measurement(`${type}.unexpected_percent`, observed.unexpected_percent, { unit: '%', slice: column })]
      : []),
  ];
  return { status, check: check(name, status, detail), measurements };
}

/** The file's counts win when present; older and newer GE versions leave some of them null, so they are recounted. */
function statisticsMeasurements(statistics: JsonRecord, outcomes: ExpectationOutcome[]): Measurement[] {
  const path = 'statistics';
  const evaluated = readNumber(statistics, 'evaluated_expectations', path) ?? outcomes.length;
  const passed = outcomes.filter((outcome) => outcome.status === 'pass').length;
  const successful = readNumber(statistics, 'successful_expectations', path) ?? passed;
  const unsuccessful = readNumber(statistics, 'unsuccessful_expectations', path) ?? outcomes.length - passed;
  const percent =
    readNumber(statistics, 'success_percent', path) ?? (evaluated > 0 ? (successful / evaluated) * 100 : null);
  return [
    measurement('evaluated_expectations', evaluated),
    measurement('successful_expectations', successful),
    measurement('unsuccessful_expectations', unsuccessful),
    measurement('success_percent', percent, { unit: '%' }),
  ];
}

export const greatExpectationsAdapter: FormatAdapter = {
  id: 'great-expectations',
  title: 'Great Expectations validation result (0.13+ and 1.x)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['data_quality'],
  detection: 'an object with a `results` list of items holding `expectation_config`, or `results` plus `statistics`',
  matches: (value) =>
    isRecord(value) &&
    Array.isArray(value.results) &&
    (isRecord(value.statistics) ||
      value.results.some((result) => isRecord(result) && isRecord(result.expectation_config))),
  adapt(value, context) {
    if (!isRecord(value) || !Array.isArray(value.results)) return [];
    const meta = recordOf(value.meta);
    const runId = recordOf(meta.run_id);
    const batch = recordOf(meta.active_batch_definition);
    const outcomes = value.results.map(expectationOutcome);
    // 1.x: top-level suite_name; 0.x: meta.expectation_suite_name.
    const suiteName =
      textOf(value.suite_name) ?? textOf(meta.expectation_suite_name) ?? textOf(value.expectation_suite_name);
    const success = readBoolean(value, 'success', '');
    return [
      buildEvidence(context, {
        kind: 'data_quality',
        producer: {
          tool: 'great_expectations',
          toolVersion: textOf(meta.great_expectations_version),
          pipelineRunId: textOf(runId.run_name) ?? textOf(meta.run_id),
        },
        observedAt: isoFromText(runId.run_time) ?? isoFromText(meta.validation_time),
        context: { dataset: textOf(batch.data_asset_name) ?? textOf(recordOf(meta.batch_spec).data_asset_name) },
        measurements: [
          ...(suiteName ? [measurement('suite_name', suiteName)] : []),
          ...(success !== undefined ? [measurement('success', success)] : []),
          ...statisticsMeasurements(readRecord(value, 'statistics', '') ?? {}, outcomes),
          ...outcomes.flatMap((outcome) => outcome.measurements),
        ],
        checks: outcomes.map((outcome) => outcome.check),
      }),
    ];
  },
};
