import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';
import { buildEvidence } from '../../evidence/build-evidence.ts';
import { checkStatusFromWord } from '../../evidence/check-status.ts';
import { columnDriftItems, datasetDriftMeasurements } from '../../evidence/drift-convention.ts';
import { readRecord, readString, requireRecord, requireString } from '../../evidence/field-readers.ts';
import { check, measurement } from '../../evidence/items.ts';
import { KindBuckets } from '../../evidence/kind-buckets.ts';
import { numericLeaves } from '../../evidence/numeric-leaves.ts';
import { isoFromText } from '../../evidence/timestamps.ts';
import { withUniqueCheckNames } from '../../evidence/unique-check-names.ts';
import { finiteNumber, isRecord, recordOf, textOf, type JsonRecord } from '../../evidence/values.ts';
import type { FormatAdapter } from '../../format-adapter.ts';
import { childPath } from '../../parsing/json-path.ts';
import { parseMetricId, type MetricIdentity } from './metric-id.ts';
import { evidentlyMetricKind } from './metric-kind.ts';

/** Evidently's default for DriftedColumnsCount when the id does not name `drift_share`. */
const DEFAULT_DRIFT_SHARE = 0.5;

function isSnapshotMetric(item: unknown): boolean {
  return (
    isRecord(item) && (typeof item.metric_id === 'string' || typeof item.metric_name === 'string') && 'value' in item
  );
}

/**
 * Newer 0.7 releases write each metric's parameters as `config` beside its name. They win over the parameters parsed
 * from the name, which cannot tell a comma inside a value (a column named `net,gross=1`) from one between params.
 */
function withConfigParams(identity: MetricIdentity, config: unknown): MetricIdentity {
  if (!isRecord(config)) return identity;
  const params: Record<string, string> = Object.assign(Object.create(null), identity.params);
  for (const [key, value] of Object.entries(config)) {
    if (key === 'type') continue;
    if (
      typeof value === 'string' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      typeof value === 'boolean'
    )
      params[key] = String(value);
  }
  return { name: identity.name, params };
}

function metricItems(identity: MetricIdentity, value: unknown): { kind: EvidenceKind; measurements: Measurement[] } {
  const { name, params } = identity;
  if (name === 'DriftedColumnsCount') {
    const counts = recordOf(value);
    const share = finiteNumber(counts.share);
    const threshold = Number(params.drift_share ?? DEFAULT_DRIFT_SHARE);
    return {
      kind: 'drift',
      measurements: datasetDriftMeasurements({
        // Evidently calls the dataset drifted when the drifted share reaches drift_share.
        datasetDrift: share === undefined || !Number.isFinite(threshold) ? undefined : share >= threshold,
        driftShare: share,
        driftedColumns: finiteNumber(counts.count),
        driftShareThreshold: Number.isFinite(threshold) ? threshold : undefined,
      }),
    };
  }
  if (name === 'ValueDrift' && params.column !== undefined) {
    const { measurements } = columnDriftItems({ column: params.column, score: finiteNumber(value) ?? null });
    return { kind: 'drift', measurements };
  }
  return {
    kind: evidentlyMetricKind(name),
    measurements: numericLeaves(value).map((leaf) =>
      measurement(leaf.path === '' ? name : `${name}.${leaf.path}`, leaf.value, { slice: params.column }),
    ),
  };
}

/**
 * A test is linked to its metric by `metric_config.metric_id` (the metric's `id`). A failed ValueDrift test is
 * Evidently's "this column drifted", so it becomes the conventional `drift:<column>` check.
 */
interface LinkedTest {
  kind: EvidenceKind | undefined;
  metricId: string | undefined;
  check: Check;
}

function testCheck(test: JsonRecord, path: string): LinkedTest {
  const name = requireString(test, 'name', path);
  const status = requireString(test, 'status', path);
  const description = readString(test, 'description', path);
  const metricConfig = readRecord(test, 'metric_config', path) ?? {};
  const metricParams = recordOf(metricConfig.params);
  const metricType = textOf(metricParams.type)?.split(':').pop();
  const column = textOf(metricParams.column);
  const checkName =
    metricType === 'ValueDrift' && column !== undefined
      ? `drift:${column}`
      : column !== undefined && !name.includes(column)
        ? `${name} [${column}]`
        : name;
  return {
    kind: metricType ? evidentlyMetricKind(metricType) : undefined,
    metricId: textOf(metricConfig.metric_id),
    check: check(checkName, checkStatusFromWord(status), description),
  };
}

export const evidentlySnapshotAdapter: FormatAdapter = {
  id: 'evidently-snapshot',
  title: 'Evidently Report snapshot json() (0.7+ API)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['drift', 'data_quality', 'performance', 'evaluation'],
  detection:
    'an object whose `metrics` list holds `{metric_id | metric_name, value}` items ' +
    '(optionally `tests` with `metric_config`)',
  matches: (value) =>
    isRecord(value) &&
    Array.isArray(value.metrics) &&
    (value.metrics.some(isSnapshotMetric) ||
      (value.metrics.length === 0 &&
        Array.isArray(value.tests) &&
        value.tests.some((test) => isRecord(test) && isRecord(test.metric_config)))),
  adapt(value, context) {
    if (!isRecord(value) || !Array.isArray(value.metrics)) return [];
    const buckets = new KindBuckets();
    const kindByMetricId = new Map<string, EvidenceKind>();
    value.metrics.forEach((item, index) => {
      const path = childPath('metrics', index);
      const entry = requireRecord(item, path);
      const idText = readString(entry, 'metric_id', path) ?? requireString(entry, 'metric_name', path);
      const { kind, measurements } = metricItems(withConfigParams(parseMetricId(idText), entry.config), entry.value);
      const hash = textOf(entry.id);
      if (hash) kindByMetricId.set(hash, kind);
      buckets.add(kind, { measurements });
    });
    const tests = Array.isArray(value.tests) ? value.tests : [];
    const linked = tests.map((item, index) => {
      const path = childPath('tests', index);
      return testCheck(requireRecord(item, path), path);
    });
    const uniqueChecks = withUniqueCheckNames(linked.map((test) => test.check));
    linked.forEach((test, index) => {
      const kind = (test.metricId ? kindByMetricId.get(test.metricId) : undefined) ?? test.kind ?? 'evaluation';
      buckets.add(kind, { checks: [uniqueChecks[index] ?? test.check] });
    });
    return buckets.list().map((bucket) =>
      buildEvidence(context, {
        ...bucket,
        producer: { tool: 'evidently', toolVersion: textOf(value.version) },
        observedAt: isoFromText(value.timestamp),
      }),
    );
  },
};
