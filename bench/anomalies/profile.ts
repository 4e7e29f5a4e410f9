import type { Random } from '@cabc/testing';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How one synthetic ToE's pipeline behaves when nothing is wrong. Every number is drawn per ToE from the seed. */
export interface ToeProfile {
  toe: string;
  periodMs: number;
  jitterMs: number;
  runs: number;
  skipRate: number;
  rerunRate: number;
  /** The same evaluation set every run: metrics repeat exactly until the model changes. */
  staticHoldout: boolean;
  performance: {
    testSize: number;
    positiveRate: number;
    tpr: number;
    tnr: number;
    auc: number;
    logLoss: number;
    weeklyAmplitude: number;
    walkStep: number;
  };
  drift: { columns: number; columnRate: number };
  dataQuality: { expectations: number; failureRate: number; columns: { name: string; mean: number; sd: number }[] };
  lag: { medianSeconds: number; logDeviation: number };
  outages: { count: number; maxMs: number };
  retrains: number;
  keyRotation: boolean;
  freshnessMs: { performance: number; drift: number; data_quality: number };
  declaresRhythm: boolean;
}

export function sampleProfile(random: Random, toe: string): ToeProfile {
  const cadence = random.pick(['daily', 'daily', 'six-hourly', 'hourly', 'hourly'] as const);
  const periodMs = cadence === 'daily' ? DAY : cadence === 'six-hourly' ? 6 * HOUR : HOUR;
  const tpr = random.uniform(0.7, 0.95);
  const tnr = random.uniform(0.8, 0.98);
  return {
    toe,
    periodMs,
    jitterMs: periodMs * random.uniform(0.001, 0.01),
    runs: 360,
    skipRate: random.uniform(0, 0.03),
    rerunRate: random.uniform(0, 0.015),
    staticHoldout: random.chance(0.2),
    performance: {
      testSize: random.pick([1000, 2000, 5000, 10_000, 50_000]),
      positiveRate: random.uniform(0.1, 0.5),
      tpr,
      tnr,
      auc: Math.min(0.995, (tpr + tnr) / 2 + random.uniform(0.02, 0.06)),
      logLoss: random.uniform(0.15, 0.45),
      // In units of the test set's sampling noise (qualityNoise): seasonality up to one, a walk of at most about one
      // over a 48-run window.
      weeklyAmplitude: random.uniform(0, 1),
      walkStep: random.uniform(0, 0.15),
    },
    drift: { columns: random.pick([10, 20, 40]), columnRate: random.uniform(0.01, 0.06) },
    dataQuality: {
      expectations: random.pick([12, 19, 30]),
      failureRate: random.uniform(0, 0.4),
      columns: ['trip_distance', 'fare_amount'].map((name) => ({
        name,
        mean: random.uniform(2, 40),
        sd: random.uniform(0.05, 0.5),
      })),
    },
    lag: { medianSeconds: random.uniform(5, 120), logDeviation: random.uniform(0.3, 0.9) },
    outages: { count: random.int(0, 2), maxMs: cadence === 'daily' ? 3 * DAY : 8 * HOUR },
    retrains: random.int(0, 2),
    keyRotation: random.chance(0.3),
    freshnessMs: {
      performance: periodMs * random.pick([1.5, 2, 3]),
      drift: periodMs * random.pick([1.5, 2, 3]),
      data_quality: periodMs * random.pick([3, 5, 7]),
    },
    declaresRhythm: random.chance(0.5),
  };
}
