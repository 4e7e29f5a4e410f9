import type { Check, Measurement } from '@cabc/contracts';
import { check, measurement } from './items.ts';

/*
 * The drift convention the rules engine relies on, whatever tool produced the evidence (kind `drift`):
 *   dataset_drift (boolean), drift_share (share of drifted columns, 0..1), number_of_drifted_columns,
 *   number_of_columns, drift_share_threshold (the share at which the dataset counts as drifted),
 *   drift_score per column with slice = column name, and a check `drift:<column>` when the tool says whether the
 *   column drifted (fail = drifted).
 */

export interface DatasetDriftFacts {
  datasetDrift?: boolean | undefined;
  driftShare?: number | null | undefined;
  driftedColumns?: number | null | undefined;
  columns?: number | null | undefined;
  driftShareThreshold?: number | null | undefined;
}

export function datasetDriftMeasurements(facts: DatasetDriftFacts): Measurement[] {
  const entries: [string, unknown][] = [
    ['dataset_drift', facts.datasetDrift],
    ['drift_share', facts.driftShare],
    ['number_of_drifted_columns', facts.driftedColumns],
    ['number_of_columns', facts.columns],
    ['drift_share_threshold', facts.driftShareThreshold],
  ];
  return entries.filter(([, value]) => value !== undefined).map(([name, value]) => measurement(name, value));
}

export interface ColumnDriftFacts {
  column: string;
  score?: number | null | undefined;
  detected?: boolean | undefined;
  method?: string | undefined;
  threshold?: number | null | undefined;
}

export function columnDriftItems(facts: ColumnDriftFacts): { measurements: Measurement[]; checks: Check[] } {
  const measurements =
    facts.score === undefined ? [] : [measurement('drift_score', facts.score, { slice: facts.column })];
  if (facts.detected === undefined) return { measurements, checks: [] };
  const how = [
    facts.method,
    facts.score === undefined || facts.score === null ? undefined : `score ${facts.score}`,
    facts.threshold === undefined || facts.threshold === null ? undefined : `threshold ${facts.threshold}`,
  ].filter((part) => part !== undefined);
  const detail = `${facts.detected ? 'drift detected' : 'no drift'}${how.length > 0 ? ` (${how.join(', ')})` : ''}`;
  return { measurements, checks: [check(`drift:${facts.column}`, facts.detected ? 'fail' : 'pass', detail)] };
}
