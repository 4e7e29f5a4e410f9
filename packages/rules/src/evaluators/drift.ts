import type { Measurement } from '@cabc/contracts';
import type { ResultDetail, RuleEvaluator } from '../evaluation-types.ts';
import { describeValue } from '../describe-value.ts';
import { newestOf } from '../evidence-order.ts';
import { errorResult, pendingResult, verdictResult } from '../results.ts';
import type { DriftRule } from '../rule-schema.ts';

/** Measurement names the adapters use for drift evidence. */
export const DRIFT_MEASUREMENTS = {
  datasetDrift: 'dataset_drift',
  driftShare: 'drift_share',
  driftedColumns: 'number_of_drifted_columns',
  columnScore: 'drift_score',
} as const;

type Read<T> = { value: T } | { error: string };

/**
 * Reads the newest drift evidence: the tool's own dataset-drift flag must be false (by default when no share limit
 * is given) and the share of drifted columns must stay within maxDriftShare.
 */
export function driftEvaluator(rule: DriftRule): RuleEvaluator {
  const kind = rule.kind ?? 'drift';
  const failOnDatasetDrift = rule.failOnDatasetDrift ?? rule.maxDriftShare === undefined;
  return (context) => {
    const evidence = newestOf(context.evidence, (record) => record.predicate.kind === kind);
    if (evidence === undefined) return pendingResult(`no ${kind} evidence yet`);
    const ids = [evidence.id];
    const { measurements } = evidence.predicate;

    const details: ResultDetail[] = [];
    if (failOnDatasetDrift) {
      const flag = readDatasetDrift(measurements);
      if ('error' in flag) return errorResult(`evidence ${evidence.id}: ${flag.error}`, ids);
      details.push({
        property: DRIFT_MEASUREMENTS.datasetDrift,
        value: flag.value,
        operator: '==',
        target: false,
        success: !flag.value,
      });
    }
    if (rule.maxDriftShare !== undefined) {
      const share = readDriftShare(measurements);
      if ('error' in share) return errorResult(`evidence ${evidence.id}: ${share.error}`, ids);
      details.push({
        property: DRIFT_MEASUREMENTS.driftShare,
        value: share.value,
        operator: '<=',
        target: rule.maxDriftShare,
        success: share.value <= rule.maxDriftShare,
      });
    }
    const drifted = overall(measurements, DRIFT_MEASUREMENTS.driftedColumns)?.value;
    return verdictResult(details, ids, typeof drifted === 'number' ? `${drifted} drifted columns` : undefined);
  };
}

function overall(measurements: readonly Measurement[], name: string): Measurement | undefined {
  return measurements.find((measurement) => measurement.name === name && measurement.slice === undefined);
}

function readDatasetDrift(measurements: readonly Measurement[]): Read<boolean> {
  const flag = overall(measurements, DRIFT_MEASUREMENTS.datasetDrift);
  if (flag === undefined) return { error: `no ${DRIFT_MEASUREMENTS.datasetDrift} measurement` };
  if (typeof flag.value !== 'boolean') {
    return { error: `${DRIFT_MEASUREMENTS.datasetDrift} is ${describeValue(flag.value)}, not a boolean` };
  }
  return { value: flag.value };
}

/** drift_share, or else drifted columns divided by the columns that have a drift_score. */
function readDriftShare(measurements: readonly Measurement[]): Read<number> {
  const share = overall(measurements, DRIFT_MEASUREMENTS.driftShare);
  if (share !== undefined) {
    if (typeof share.value !== 'number' || !(share.value >= 0 && share.value <= 1)) {
      return {
        error: `${DRIFT_MEASUREMENTS.driftShare} is ${describeValue(share.value)}, not a number between 0 and 1`,
      };
    }
    return { value: share.value };
  }
  const drifted = overall(measurements, DRIFT_MEASUREMENTS.driftedColumns)?.value;
  const columns = new Set(
    measurements.filter((m) => m.name === DRIFT_MEASUREMENTS.columnScore && m.slice !== undefined).map((m) => m.slice),
  ).size;
  if (typeof drifted === 'number' && Number.isInteger(drifted) && drifted >= 0 && columns > 0 && drifted <= columns) {
    return { value: drifted / columns };
  }
  const { driftShare, driftedColumns, columnScore } = DRIFT_MEASUREMENTS;
  return {
    error: `no ${driftShare} measurement, and it cannot be derived from ${driftedColumns} and per-column ${columnScore}`,
  };
}
