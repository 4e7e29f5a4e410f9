import type { Check, Measurement } from '@cabc/contracts';
import type { ToeProfile } from './profile.ts';
import type { Random } from '@cabc/testing';

const WEEK = 7 * 24 * 3_600_000;

/** The model's true rates at one moment, before sampling noise: what injections shift. */
export interface Quality {
  tpr: number;
  tnr: number;
}

const clamp = (value: number, low = 0.001, high = 0.999) => Math.min(high, Math.max(low, value));

/** One sampling standard deviation of the true positive and true negative rates on the ToE's test set. */
export function qualityNoise(profile: ToeProfile): Quality {
  const { testSize, positiveRate, tpr, tnr } = profile.performance;
  return {
    tpr: Math.sqrt((tpr * (1 - tpr)) / (testSize * positiveRate)),
    tnr: Math.sqrt((tnr * (1 - tnr)) / (testSize * (1 - positiveRate))),
  };
}

/** The rates at time `at` for a model whose rates are `base`: weekly seasonality plus a slow random walk. */
export function qualityAt(profile: ToeProfile, base: Quality, walk: Quality, at: number): Quality {
  if (profile.staticHoldout) return base;
  const noise = qualityNoise(profile);
  const season = profile.performance.weeklyAmplitude * Math.sin((2 * Math.PI * at) / WEEK);
  return {
    tpr: clamp(base.tpr + walk.tpr + season * noise.tpr),
    tnr: clamp(base.tnr + walk.tnr + (season / 2) * noise.tnr),
  };
}

/**
 * Classification metrics as an evaluation job computes them: a confusion matrix sampled on a fresh test set (or the
 * same counts every time on a static holdout), and the metrics that follow from it.
 */
export function performanceMeasurements(profile: ToeProfile, quality: Quality, random: Random): Measurement[] {
  const { testSize, positiveRate, auc, logLoss, tpr: baseTpr, tnr: baseTnr } = profile.performance;
  const fixed = profile.staticHoldout;
  const positives = fixed ? Math.round(testSize * positiveRate) : random.binomial(testSize, positiveRate);
  const negatives = testSize - positives;
  const truePositives = fixed ? Math.round(positives * quality.tpr) : random.binomial(positives, quality.tpr);
  const trueNegatives = fixed ? Math.round(negatives * quality.tnr) : random.binomial(negatives, quality.tnr);
  const falsePositives = negatives - trueNegatives;
  const accuracy = (truePositives + trueNegatives) / testSize;
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, positives);
  const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
  const lift = quality.tpr - baseTpr + (quality.tnr - baseTnr);
  const noise = fixed ? 0 : random.normal(0, Math.sqrt((auc * (1 - auc)) / testSize));
  return [
    { name: 'accuracy', value: accuracy },
    { name: 'precision', value: precision },
    { name: 'recall', value: recall },
    { name: 'f1', value: f1 },
    { name: 'auc', value: Number(clamp(auc + lift / 2 + noise).toFixed(6)) },
    { name: 'log_loss', value: Number(Math.max(0.01, logLoss - 1.2 * lift + noise * 3).toFixed(6)) },
  ];
}

/** An Evidently-like drift report: per-column drift p-values and the share of drifted columns. */
export function driftReport(
  profile: ToeProfile,
  columnRate: number,
  random: Random,
): { measurements: Measurement[]; checks: Check[] } {
  const columns = profile.drift.columns;
  const drifted = Array.from({ length: columns }, () => random.chance(columnRate));
  const count = drifted.filter(Boolean).length;
  const share = count / columns;
  return {
    measurements: [
      { name: 'drift_share', value: share },
      { name: 'number_of_drifted_columns', value: count },
      { name: 'number_of_columns', value: columns },
      { name: 'dataset_drift', value: share >= 0.5 },
      { name: 'drift_share_threshold', value: 0.5 },
      ...drifted.map((isDrifted, index) => ({
        name: 'drift_score',
        slice: `column_${index}`,
        value: Number((isDrifted ? random.uniform(0, 0.01) : random.uniform(0.05, 1)).toFixed(6)),
      })),
    ],
    checks: drifted.map((isDrifted, index) => ({
      name: `drift:column_${index}`,
      status: isDrifted ? ('fail' as const) : ('pass' as const),
    })),
  };
}

/** A Great-Expectations-like validation: expectations that pass or fail, and observed column means. */
export function dataQualityReport(
  profile: ToeProfile,
  extraFailures: number,
  meanShift: number,
  random: Random,
): { measurements: Measurement[]; checks: Check[] } {
  const { expectations, failureRate, columns } = profile.dataQuality;
  const failures = Math.min(expectations, random.poisson(failureRate) + extraFailures);
  const successful = expectations - failures;
  return {
    measurements: [
      { name: 'evaluated_expectations', value: expectations },
      { name: 'successful_expectations', value: successful },
      { name: 'success_percent', value: (100 * successful) / expectations, unit: '%' },
      ...columns.map((column) => ({
        name: 'expect_column_mean_to_be_between.observed_value',
        slice: column.name,
        value: Number(random.normal(column.mean + meanShift * column.sd, column.sd).toFixed(6)),
      })),
    ],
    checks: Array.from({ length: expectations }, (_, index) => ({
      name: `expectation_${index}`,
      status: index < failures ? ('fail' as const) : ('pass' as const),
    })),
  };
}
