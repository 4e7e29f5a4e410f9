import { evidenceKinds, type EvidenceKind } from '@cabc/contracts';
import { MeasurementHash } from './fingerprint.ts';
import type { AnomalyEvidence } from './types.ts';

/** The pseudo-metric every evidence with checks carries: how many of them failed or could not be evaluated. */
export const FAILED_CHECKS_METRIC = 'checks:failed';

/** Kinds whose evidence is about the data or the process, not the model. */
export const DATA_KINDS: ReadonlySet<EvidenceKind> = new Set(['dataset', 'data_quality', 'drift', 'provenance']);

/** Kinds whose evidence is about the model (all others); their non-dataset subjects are model artifacts. */
export const MODEL_KINDS: ReadonlySet<EvidenceKind> = new Set(evidenceKinds.filter((kind) => !DATA_KINDS.has(kind)));

/**
 * Evidence of one kind under the same split, environment and slice forms one series with one baseline. The dataset
 * name is left out on purpose: production monitoring names a new window of data every run.
 */
export function seriesKeyOf(evidence: AnomalyEvidence): string {
  const { kind, context } = evidence.predicate;
  return [kind, context.split ?? '', context.environment ?? '', context.slice ?? ''].join('|');
}

export function metricKey(name: string, slice: string | undefined): string {
  return slice === undefined ? name : `${name}[${slice}]`;
}

export interface MeasurementFeatures {
  /**
   * The finite numeric measurements by metric key (first one wins), in the order a series starts tracking them when
   * its cap is reached: unsliced summaries first, then the failed-checks count, then per-slice values (a drift
   * report's per-column scores, per-class metrics).
   */
  measured: Map<string, number>;
  /** Every finite numeric measurement, exact, order-independent (the failed-checks count is derived, not in it). */
  fingerprint: { hash: number; metrics: string[] } | undefined;
}

export function measurementFeatures(evidence: AnomalyEvidence): MeasurementFeatures {
  const measured = new Map<string, number>();
  const sliced: [string, number][] = [];
  const hash = new MeasurementHash();
  const metrics: string[] = [];
  for (const measurement of evidence.predicate.measurements) {
    if (typeof measurement.value !== 'number' || !Number.isFinite(measurement.value)) continue;
    const key = metricKey(measurement.name, measurement.slice);
    hash.add(key, measurement.value);
    metrics.push(key);
    if (measurement.slice !== undefined) sliced.push([key, measurement.value]);
    else if (!measured.has(key)) measured.set(key, measurement.value);
  }
  const checks = evidence.predicate.checks;
  if (checks.length > 0) {
    let failed = 0;
    for (const check of checks) if (check.status === 'fail' || check.status === 'error') failed += 1;
    measured.set(FAILED_CHECKS_METRIC, failed);
  }
  for (const [key, value] of sliced) if (!measured.has(key)) measured.set(key, value);
  return { measured, fingerprint: hash.count > 0 ? { hash: hash.digest(), metrics } : undefined };
}

export function booleanMeasurement(evidence: AnomalyEvidence, name: string): boolean | undefined {
  const found = evidence.predicate.measurements.find((measurement) => measurement.name === name && !measurement.slice);
  return typeof found?.value === 'boolean' ? found.value : undefined;
}

export function timesOf(evidence: AnomalyEvidence): { observedAt: number; appendedAt: number } {
  return { observedAt: Date.parse(evidence.predicate.observedAt), appendedAt: evidence.appendedAt.getTime() };
}
