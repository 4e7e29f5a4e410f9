import type { EvidenceKind } from '@cabc/contracts';
import { detectBackdating } from './detectors/backdating.ts';
import { detectCadence } from './detectors/cadence.ts';
import { detectChangePoint } from './detectors/change-point.ts';
import { detectDeadlineClustering } from './detectors/deadline-clustering.ts';
import { detectImprovementDespiteDataChange } from './detectors/improvement-despite-data-change.ts';
import { detectMetricOutlier, distanceOf } from './detectors/metric-outlier.ts';
import { detectModelDigestChange } from './detectors/model-digest.ts';
import { detectNewProducer } from './detectors/new-producer.ts';
import { detectRepeatedMeasurements } from './detectors/repeated-measurements.ts';
import { MODEL_KINDS, measurementFeatures, seriesKeyOf, timesOf } from './evidence-features.ts';
import { ANOMALY_PARAMETERS, type AnomalyParameters } from './parameters.ts';
import { pushBounded } from './robust-statistics.ts';
import { appendRow, rebaseline, registerMetrics, seriesFor, viewOf } from './series.ts';
import { emptyState, type AnomalyState, type KeyState, type KindState } from './state.ts';
import type { AnomalyEvidence, AnomalyScope, Observation } from './types.ts';

const SERIES_PER_TOE = 64;
const KEYS_PER_TOE = 32;

/**
 * Judges one evidence against its ToE's history and learns from it: updates `state` in place (O(window) work) and
 * answers the observations it raises, none when it has seen this evidence id recently. Evidence is expected in
 * ledger order; the observations never change a posture by themselves.
 */
export function observeEvidence(
  state: AnomalyState,
  evidence: AnomalyEvidence,
  scope: AnomalyScope,
  parameters: AnomalyParameters = ANOMALY_PARAMETERS,
): Observation[] {
  if (state.recentIds.includes(evidence.id)) return [];
  pushBounded(state.recentIds, evidence.id, parameters.recentIds);
  const times = timesOf(evidence);
  const kind = kindFor(state, evidence.predicate.kind);
  const observations: Observation[] = [];
  const add = (observation: Observation | undefined) => {
    if (observation) observations.push(observation);
  };

  add(detectNewProducer(evidence, kind, scope, parameters));
  const models = detectModelDigestChange(evidence, state, scope, parameters);
  for (const observation of models.observations) add(observation);
  if (models.approvedChange) {
    for (const series of state.series) if (MODEL_KINDS.has(series.kind)) rebaseline(series, null);
  }
  add(detectBackdating(evidence, keyFor(state, evidence.keyId), times, parameters));

  const series = seriesFor(state, seriesKeyOf(evidence), evidence, SERIES_PER_TOE);
  add(detectCadence(evidence, series, times.observedAt, scope, parameters));
  add(detectDeadlineClustering(evidence, kind, times, scope, parameters));

  const { measured, fingerprint } = measurementFeatures(evidence);
  registerMetrics(series, measured, parameters.maxMetrics);
  const view = viewOf(series, measured, parameters);
  const distance = distanceOf(view, parameters);
  add(detectMetricOutlier(evidence, view, distance, parameters));
  add(detectImprovementDespiteDataChange(evidence, view, distance, state.runs, scope, parameters));
  add(detectRepeatedMeasurements(evidence, fingerprint, kind, series, state.runs, times.observedAt, parameters));
  add(detectChangePoint(evidence, view, parameters));
  appendRow(series, evidence.id, view.values, parameters.window);
  return observations;
}

/** The state and every observation after the evidence, in ledger order, each under the scope it was judged by. */
export function replay(
  history: Iterable<{ evidence: AnomalyEvidence; scope: AnomalyScope }>,
  parameters: AnomalyParameters = ANOMALY_PARAMETERS,
): { state: AnomalyState; observations: Observation[] } {
  const state = emptyState();
  const observations: Observation[] = [];
  for (const { evidence, scope } of history) observations.push(...observeEvidence(state, evidence, scope, parameters));
  return { state, observations };
}

function kindFor(state: AnomalyState, kind: EvidenceKind): KindState {
  let entry = state.kinds.find((candidate) => candidate.kind === kind);
  if (!entry) {
    entry = {
      kind,
      count: 0,
      tools: [],
      submitters: [],
      keys: [],
      lastScopeVersion: null,
      versionSince: 0,
      fingerprints: [],
      deadline: { lastObservedAt: null, lastEffectiveAt: null, intervals: [], usual: null, hits: [], alarmed: false },
    };
    state.kinds.push(entry);
  }
  return entry;
}

function keyFor(state: AnomalyState, keyId: string): KeyState {
  let entry = state.keys.find((candidate) => candidate.keyId === keyId);
  if (!entry) {
    entry = { keyId, lags: [], usual: null, maxObservedAt: null, maxObservedId: null };
    pushBounded(state.keys, entry, KEYS_PER_TOE);
  }
  return entry;
}
