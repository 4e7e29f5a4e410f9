import type { RobustDistance } from '../robust-distance.ts';
import { booleanMeasurement, FAILED_CHECKS_METRIC, MODEL_KINDS } from '../evidence-features.ts';
import { directionOf } from '../metric-direction.ts';
import type { AnomalyParameters } from '../parameters.ts';
import { pushBounded } from '../robust-statistics.ts';
import { scoreOf, shown } from '../score.ts';
import type { SeriesView } from '../series.ts';
import type { RunState } from '../state.ts';
import type { AnomalyEvidence, AnomalyScope, Observation } from '../types.ts';

/** The kinds whose evidence can say that a run's data changed. */
const DATA_REPORTS = new Set(['drift', 'data_quality', 'dataset']);

/**
 * A model metric improving sharply in a pipeline run whose drift or data-quality evidence says the data changed.
 * The kinds of one run arrive in any order, so each evidence records its fact on the run (by `pipelineRunId`) and
 * the one that completes the pair raises the observation, once per run.
 */
export function detectImprovementDespiteDataChange(
  evidence: AnomalyEvidence,
  view: SeriesView,
  distance: RobustDistance | undefined,
  runs: RunState[],
  scope: AnomalyScope,
  parameters: AnomalyParameters,
): Observation | undefined {
  const runId = evidence.predicate.producer.pipelineRunId;
  if (runId === undefined) return undefined;
  const kind = evidence.predicate.kind;
  const improvement = MODEL_KINDS.has(kind) ? sharpImprovement(view, scope, parameters) : undefined;
  const dataChange = DATA_REPORTS.has(kind) ? dataChangeOf(evidence, view, distance, parameters) : undefined;
  if (!improvement && !dataChange) return undefined;

  let run = runs.find((entry) => entry.run === runId);
  if (!run) {
    run = { run: runId, improvement: null, dataChanges: [], reported: false };
    pushBounded(runs, run, parameters.dataChange.runs);
  }
  if (improvement && !run.improvement) run.improvement = { evidenceId: evidence.id, kind, ...improvement };
  if (dataChange) run.dataChanges.push({ evidenceId: evidence.id, kind, ...dataChange });
  if (run.reported || !run.improvement || run.dataChanges.length === 0) return undefined;

  run.reported = true;
  const threshold = parameters.dataChange;
  const strongestChange = Math.max(...run.dataChanges.map((change) => change.z));
  const ratio = Math.sqrt((run.improvement.z / threshold.improvement) * (strongestChange / threshold.dataChange));
  const changes = run.dataChanges.map((change) => `${change.kind} evidence says ${change.summary}`).join('; ');
  const ids = [run.improvement.evidenceId, ...run.dataChanges.map((change) => change.evidenceId)];
  return {
    signal: 'improvement_despite_data_change',
    score: scoreOf(ratio),
    kind,
    evidenceIds: [evidence.id, ...ids.filter((id) => id !== evidence.id)],
    explanation:
      `In pipeline run ${runId} the ${run.improvement.kind} evidence improved sharply (${run.improvement.summary}) ` +
      `while the same run's ${changes}. ` +
      'A model rarely gets better on data that just changed; a swapped or hand-picked evaluation set does.',
    details: { run: runId, improvementZ: run.improvement.z, dataChangeZ: strongestChange },
  };
}

function sharpImprovement(
  view: SeriesView,
  scope: AnomalyScope,
  parameters: AnomalyParameters,
): { summary: string; z: number } | undefined {
  // Most evidence improves nothing: say so before building any list.
  let candidates = view.constantBroken.length;
  for (const z of view.z) if (z !== null && Math.abs(z) >= parameters.dataChange.improvement) candidates += 1;
  if (candidates < 2) return undefined;
  const better = view.series.metrics
    .map((metric, index) => {
      const direction = directionOf(metric, scope.metricDirections);
      const z = view.z[index];
      if (!direction || z === null || z === undefined) return undefined;
      return { metric, z: direction === 'higher_is_better' ? z : -z };
    })
    .filter((entry): entry is { metric: string; z: number } => entry !== undefined && entry.z >= 0);
  // A metric that never moved in the window (a static holdout) and now moves the good way counts as twice the
  // threshold: it has no spread to be measured in.
  for (const broken of view.constantBroken) {
    const direction = directionOf(broken.metric, scope.metricDirections);
    const gain = direction === 'higher_is_better' ? broken.now - broken.was : broken.was - broken.now;
    if (direction && gain > 0) better.push({ metric: broken.metric, z: 2 * parameters.dataChange.improvement });
  }
  better.sort((a, b) => b.z - a.z);
  // Two metrics must agree: a real change of the model shows in more than one of them.
  const second = better[1];
  if (!second || second.z < parameters.dataChange.improvement) return undefined;
  const summary = better
    .filter((entry) => entry.z >= parameters.dataChange.improvement / 2)
    .slice(0, 3)
    .map((entry) => `${entry.metric} ${shown(entry.z, 2)} robust deviations better than usual`)
    .join(', ');
  return { summary, z: second.z };
}

function dataChangeOf(
  evidence: AnomalyEvidence,
  view: SeriesView,
  distance: RobustDistance | undefined,
  parameters: AnomalyParameters,
): { summary: string; z: number } | undefined {
  const threshold = parameters.dataChange.dataChange;
  const reasons: { summary: string; z: number }[] = [];
  if (booleanMeasurement(evidence, 'dataset_drift') === true) {
    reasons.push({ summary: 'the dataset drifted (dataset_drift = true)', z: threshold });
  }
  const failed = view.series.metrics.indexOf(FAILED_CHECKS_METRIC);
  const failedZ = failed >= 0 ? view.z[failed] : null;
  if (failedZ !== null && failedZ !== undefined && failedZ >= threshold) {
    reasons.push({ summary: `${view.values[failed]} checks failed, far more than usual`, z: failedZ });
  }
  if (distance && distance.normalScore >= parameters.outlier.alarm) {
    reasons.push({
      summary: `its measurements are unusual (distance score ${shown(distance.normalScore, 2)})`,
      z: distance.normalScore,
    });
  }
  if (reasons.length === 0) return undefined;
  return { summary: reasons.map((reason) => reason.summary).join(', '), z: Math.max(...reasons.map((r) => r.z)) };
}
