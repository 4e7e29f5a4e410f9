import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';
import { buildEvidence } from '../../evidence/build-evidence.ts';
import { columnDriftItems, datasetDriftMeasurements, type ColumnDriftFacts } from '../../evidence/drift-convention.ts';
import {
  readBoolean,
  readNumber,
  readRecord,
  readString,
  requireRecord,
  requireString,
} from '../../evidence/field-readers.ts';
import { measurement } from '../../evidence/items.ts';
import { KindBuckets } from '../../evidence/kind-buckets.ts';
import { numericLeaves } from '../../evidence/numeric-leaves.ts';
import { isoFromText } from '../../evidence/timestamps.ts';
import { isRecord, recordOf, textOf, type JsonRecord } from '../../evidence/values.ts';
import type { FormatAdapter } from '../../format-adapter.ts';
import { childPath } from '../../parsing/json-path.ts';
import { evidentlyMetricKind } from './metric-kind.ts';

interface MetricItems {
  kind: EvidenceKind;
  measurements: Measurement[];
  checks?: Check[];
}

/** The drift fields of one column as DataDriftTable and ColumnDriftMetric write them. */
function columnDrift(result: JsonRecord, path: string, fallbackName: string): ColumnDriftFacts {
  return {
    column: readString(result, 'column_name', path) ?? fallbackName,
    score: readNumber(result, 'drift_score', path),
    detected: readBoolean(result, 'drift_detected', path),
    method: readString(result, 'stattest_name', path),
    threshold: readNumber(result, 'stattest_threshold', path),
  };
}

function driftItems(metric: string, result: JsonRecord, path: string): MetricItems {
  const columns = Object.entries(readRecord(result, 'drift_by_columns', path) ?? {}).map(([name, column]) => {
    const columnPath = childPath(childPath(path, 'drift_by_columns'), name);
    return columnDriftItems(columnDrift(requireRecord(column, columnPath), columnPath, name));
  });
  return {
    kind: 'drift',
    measurements: [
      ...datasetDriftMeasurements({
        datasetDrift: readBoolean(result, 'dataset_drift', path),
        // In 0.3.x `drift_share` is the configured threshold; the observed share is `share_of_drifted_columns`.
        driftShare: readNumber(result, 'share_of_drifted_columns', path),
        driftedColumns: readNumber(result, 'number_of_drifted_columns', path),
        columns: readNumber(result, 'number_of_columns', path),
        driftShareThreshold: metric === 'DatasetDriftMetric' ? readNumber(result, 'drift_share', path) : undefined,
      }),
      ...columns.flatMap((column) => column.measurements),
    ],
    checks: columns.flatMap((column) => column.checks),
  };
}

function metricItems(metric: string, result: JsonRecord, path: string): MetricItems {
  const column = textOf(result.column_name);
  switch (metric) {
    case 'DatasetDriftMetric':
    case 'DataDriftTable':
      return driftItems(metric, result, path);
    case 'ColumnDriftMetric': {
      const items = columnDriftItems(columnDrift(result, path, column ?? metric));
      return { kind: 'drift', ...items };
    }
    case 'ColumnSummaryMetric':
      return {
        kind: 'data_quality',
        measurements: numericLeaves(recordOf(result.current_characteristics)).map((leaf) =>
          measurement(leaf.path, leaf.value, { slice: column }),
        ),
      };
    case 'ColumnQuantileMetric':
      return {
        kind: 'data_quality',
        measurements: [
          measurement(`quantile_${textOf(result.quantile) ?? '?'}`, recordOf(result.current).value, { slice: column }),
        ],
      };
    default:
      return {
        kind: evidentlyMetricKind(metric),
        measurements: numericLeaves(result, { skipKeys: ['reference'] }).map((leaf) =>
          measurement(leaf.path === '' ? metric : `${metric}.${leaf.path}`, leaf.value, { slice: column }),
        ),
      };
  }
}

export const evidentlyLegacyReportAdapter: FormatAdapter = {
  id: 'evidently-legacy-report',
  title: 'Evidently Report json() (legacy API, 0.1–0.6)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['drift', 'data_quality', 'performance', 'evaluation'],
  detection: 'an object whose `metrics` list holds `{metric, result}` items',
  matches: (value) =>
    isRecord(value) &&
    Array.isArray(value.metrics) &&
    value.metrics.some((item) => isRecord(item) && typeof item.metric === 'string' && 'result' in item),
  adapt(value, context) {
    if (!isRecord(value) || !Array.isArray(value.metrics)) return [];
    const buckets = new KindBuckets();
    value.metrics.forEach((item, index) => {
      const path = childPath('metrics', index);
      const entry = requireRecord(item, path);
      const metric = requireString(entry, 'metric', path);
      const result = readRecord(entry, 'result', path) ?? {};
      const { kind, ...items } = metricItems(metric, result, childPath(path, 'result'));
      buckets.add(kind, items);
    });
    const version = textOf(value.version);
    return buckets.list().map((bucket) =>
      buildEvidence(context, {
        ...bucket,
        producer: { tool: 'evidently', toolVersion: version },
        observedAt: isoFromText(value.timestamp),
      }),
    );
  },
};
