import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';
import { buildEvidence } from '../../evidence/build-evidence.ts';
import { checkStatusFromWord } from '../../evidence/check-status.ts';
import { columnDriftItems, datasetDriftMeasurements, type ColumnDriftFacts } from '../../evidence/drift-convention.ts';
import { readRecord, readString, requireRecord, requireString } from '../../evidence/field-readers.ts';
import { check, measurement } from '../../evidence/items.ts';
import { KindBuckets } from '../../evidence/kind-buckets.ts';
import { isoFromText } from '../../evidence/timestamps.ts';
import { withUniqueCheckNames } from '../../evidence/unique-check-names.ts';
import { finiteNumber, isRecord, textOf, type JsonRecord } from '../../evidence/values.ts';
import type { FormatAdapter } from '../../format-adapter.ts';
import { childPath } from '../../parsing/json-path.ts';
import { evidentlyMetricKind } from './metric-kind.ts';

const kindByGroup = new Map<string, EvidenceKind>([
  ['data_integrity', 'data_quality'],
  ['data_quality', 'data_quality'],
  ['data_drift', 'drift'],
  ['regression', 'performance'],
  ['classification', 'performance'],
  ['ranking', 'performance'],
  ['recsys', 'performance'],
]);

interface SuiteTest {
  kind: EvidenceKind;
  check: Check;
  parameters: JsonRecord;
  column: string | undefined;
}

function readTest(item: unknown, index: number): SuiteTest {
  const path = childPath('tests', index);
  const test = requireRecord(item, path);
  const name = requireString(test, 'name', path);
  const status = requireString(test, 'status', path);
  const description = readString(test, 'description', path);
  const parameters = readRecord(test, 'parameters', path) ?? {};
  const group = readString(test, 'group', path);
  // Column tests name their column in parameters or, for some tests, only in the description (**column**).
  const column = textOf(parameters.column_name) ?? (description ? /\*\*(.+?)\*\*/.exec(description)?.[1] : undefined);
  const detail = status.trim().toUpperCase() === 'SKIPPED' ? `skipped: ${description ?? ''}` : description;
  return {
    kind: (group ? kindByGroup.get(group) : undefined) ?? evidentlyMetricKind(name),
    check: check(column ? `${name} [${column}]` : name, checkStatusFromWord(status), detail),
    parameters,
    column,
  };
}

/** Drift tests carry per-column results: TestColumnDrift flat, TestNumberOfDriftedColumns as a `features` map. */
function driftFacts(test: SuiteTest): { measurements: Measurement[]; checks: Check[] } {
  const features = isRecord(test.parameters.features) ? test.parameters.features : undefined;
  const perColumn: [string, JsonRecord][] = features
    ? Object.entries(features).flatMap(([column, facts]): [string, JsonRecord][] =>
        isRecord(facts) ? [[column, facts]] : [],
      )
    : test.column !== undefined && typeof test.parameters.detected === 'boolean'
      ? [[test.column, test.parameters]]
      : [];
  const facts: ColumnDriftFacts[] = perColumn.map(([column, record]) => ({
    column,
    score: finiteNumber(record.score),
    detected: typeof record.detected === 'boolean' ? record.detected : undefined,
    method: textOf(record.stattest),
    threshold: finiteNumber(record.threshold),
  }));
  const drifted = facts.filter((column) => column.detected === true).length;
  const columns = facts.map(columnDriftItems);
  const dataset =
    features && facts.length > 0
      ? datasetDriftMeasurements({ driftedColumns: drifted, columns: facts.length, driftShare: drifted / facts.length })
      : [];
  return {
    measurements: [...dataset, ...columns.flatMap((column) => column.measurements)],
    checks: columns.flatMap((column) => column.checks),
  };
}

/** Evidently's summary counts, recomputed for the tests that went into one evidence item. */
function testCounts(checks: Check[]): Measurement[] {
  const count = (status: Check['status']) => checks.filter((item) => item.status === status).length;
  return [
    measurement('total_tests', checks.length),
    measurement('success_tests', count('pass')),
    measurement('failed_tests', count('fail')),
    measurement('warning_tests', count('warn')),
    measurement('error_tests', count('error')),
  ];
}

export const evidentlyLegacyTestSuiteAdapter: FormatAdapter = {
  id: 'evidently-legacy-test-suite',
  title: 'Evidently TestSuite json() (legacy API, 0.1–0.6)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['data_quality', 'drift', 'performance', 'evaluation'],
  detection: 'an object with a `tests` list of `{name, status}` items and a `summary` object or test `group`s',
  matches: (value) =>
    isRecord(value) &&
    Array.isArray(value.tests) &&
    value.tests.every((test) => isRecord(test) && typeof test.name === 'string' && typeof test.status === 'string') &&
    (isRecord(value.summary) || value.tests.some((test) => isRecord(test) && 'group' in test)),
  adapt(value, context) {
    if (!isRecord(value) || !Array.isArray(value.tests)) return [];
    const tests = value.tests.map(readTest);
    const uniqueChecks = withUniqueCheckNames(tests.map((test) => test.check));
    const testChecksByKind = new Map<EvidenceKind, Check[]>();
    const buckets = new KindBuckets();
    tests.forEach((test, index) => {
      const testCheck = uniqueChecks[index] ?? test.check;
      testChecksByKind.set(test.kind, [...(testChecksByKind.get(test.kind) ?? []), testCheck]);
      buckets.add(test.kind, { checks: [testCheck] });
      if (test.kind === 'drift') buckets.add('drift', driftFacts(test));
    });
    const version = textOf(value.version);
    return buckets.list().map((bucket) =>
      buildEvidence(context, {
        kind: bucket.kind,
        producer: { tool: 'evidently', toolVersion: version },
        observedAt: isoFromText(value.timestamp),
        measurements: [...testCounts(testChecksByKind.get(bucket.kind) ?? []), ...bucket.measurements],
        checks: bucket.checks,
      }),
    );
  },
};
