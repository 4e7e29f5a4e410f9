import type { EvidenceKind, EvidencePredicate } from '@cabc/contracts';

/** One verified evidence as the assessment holds it at evaluation time (an `evidence` row of the ledger). */
export interface AnomalyEvidence {
  id: string;
  /** When the ledger appended it: the auditor's clock, unlike `predicate.observedAt`. */
  appendedAt: Date;
  /** RFC 7638 id of the collector key that signed the envelope. */
  keyId: string;
  subjects: { name: string; digest: { sha256: string } }[];
  predicate: EvidencePredicate;
}

export type MetricDirection = 'higher_is_better' | 'lower_is_better';

/** What the approved scope in force says, as far as the detectors need it. */
export interface AnomalyScope {
  /** The approved scope version the evidence is judged under. */
  version: number;
  /** Digests the scope (the ToE's artifacts) approves; sha256 hex. */
  modelDigests: readonly string[];
  datasetDigests: readonly string[];
  /** The tightest freshness window (ms) of a requirement that reads each kind. */
  freshnessMs?: Partial<Record<EvidenceKind, number>>;
  /** The rhythm the scope's measurement plan promises per kind (`measurements[].expectedFrequency`), in ms. */
  expectedIntervalMs?: Partial<Record<EvidenceKind, number>>;
  /** Which way is good for a metric (from threshold and trend rules); a table of common names fills the rest. */
  metricDirections?: Readonly<Record<string, MetricDirection>>;
  /** Approvals of scope versions and certificate renewals: a silence just before one of them is worth a look. */
  milestones?: readonly { kind: 'approval' | 'renewal'; at: Date }[];
}

export const signalKinds = [
  'metric_outlier',
  'change_point',
  'cadence_gap',
  'cadence_burst',
  'repeated_measurements',
  'improvement_despite_data_change',
  'deadline_clustering',
  'backdated_evidence',
  'model_digest_change',
  'new_producer',
] as const;
export type SignalKind = (typeof signalKinds)[number];

export type ObservationDetail = number | string | boolean | null | readonly (number | string)[];

/**
 * A finding for a human, never a verdict: it does not change a posture by itself. `score` is in [0.5, 1): 0.5 at the
 * detector's alarm threshold, 0.75 at twice the threshold, and so on (docs/anomalies.md#scores).
 */
export interface Observation {
  signal: SignalKind;
  score: number;
  kind: EvidenceKind;
  /** The evidence that triggered it first, then the evidence it was compared with or that completes the pattern. */
  evidenceIds: string[];
  explanation: string;
  details: Record<string, ObservationDetail>;
}
