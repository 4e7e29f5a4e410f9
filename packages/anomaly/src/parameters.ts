/**
 * The detectors' parameters, each explained in docs/anomalies.md. They were tuned on the benchmark's tuning seeds
 * only (bench/anomalies); the reported figures come from held-out seeds.
 */
export const ANOMALY_PARAMETERS = {
  /** Evidence rows of history each series keeps: the baseline of its robust statistics. */
  window: 48,
  /** Rows a series needs before outliers and change points are judged. */
  minHistory: 20,
  /** A full window's statistics (median, scale, correlation) are recomputed after this many new values. */
  refreshEvery: 8,
  /** Numeric measurements tracked per series; further ones are left out of the statistics. */
  maxMetrics: 10,
  outlier: {
    /** Robust z-scores are clipped at ±huber before they estimate the correlation between metrics. */
    huber: 3,
    /** Weight of the identity in the shrunk correlation matrix: keeps it invertible for near-identical metrics. */
    shrinkage: 0.2,
    /** Alarm when the Wilson–Hilferty normal score of the squared robust distance reaches this. */
    alarm: 4.5,
  },
  changePoint: {
    /** Each standardised point adds at most this much, so one spike cannot raise an alarm alone. */
    clip: 4,
    /** CUSUM slack k in robust deviations: shifts smaller than about 2k go unnoticed. */
    slack: 1,
    /** CUSUM threshold h in robust deviations. */
    threshold: 15,
  },
  cadence: {
    minHistory: 8,
    /** An interval this many times the usual one is a gap. */
    gapRatio: 3.5,
    /** An interval shorter than the usual one divided by this is a burst. */
    burstRatio: 4,
    /** Sustained rhythm change: CUSUM on ln(interval / usual) with this slack (ln 1.5) ... */
    rhythmSlack: Math.log(1.5),
    /** ... and this threshold (ln 8). */
    rhythmThreshold: Math.log(8),
  },
  repeated: {
    /** Fingerprints of earlier evidence kept per kind. */
    ring: 64,
    /** Alarm when the expected number of chance matches is at most this. */
    alarm: 1e-6,
  },
  dataChange: {
    /** A performance metric this many robust deviations better than usual is a sharp improvement. */
    improvement: 3,
    /** A drift or data-quality evidence this unusual (robust deviations, or distance score) says the data changed. */
    dataChange: 3,
    /** Pipeline runs remembered to link the kinds of one run. */
    runs: 64,
  },
  deadline: {
    /** An evidence in the last this share of its freshness window is just in time. */
    leadShare: 0.05,
    /** ... and only counts when it comes this many usual intervals after the previous one. */
    lateFactor: 2,
    /** Alarm when `hits` of the last `of` evidence of the kind were just in time. */
    of: 6,
    hits: 3,
  },
  backdating: {
    minHistory: 8,
    /** Lag and out-of-order margin both at least this many times the usual lag ... */
    ratio: 20,
    /** ... and the lag this many robust deviations above the usual (log scale). */
    z: 4,
  },
  model: {
    /** A subject digest counts as the model in use after this many evidence with it. */
    stableFor: 5,
  },
  producer: {
    /** Evidence of a kind before a new producer, submitter or key is worth an observation. */
    minHistory: 12,
    /** Distinct producers, submitters and keys remembered per kind. */
    remembered: 64,
  },
  /** Evidence ids remembered to make a repeated call for the same evidence a no-op. */
  recentIds: 64,
} as const;

export type AnomalyParameters = typeof ANOMALY_PARAMETERS;
