import { seededRandom } from './seeded-random.ts';

const DAY = 86_400_000;

/** One piece of evidence in the collector's unified JSON (the predicate without its submitter). */
export interface UnifiedEvidence {
  toe: string;
  subject: { name: string; digest: { sha256: string } }[];
  kind: 'performance' | 'drift';
  producer: { tool: string; toolVersion: string; pipelineRunId: string };
  observedAt: string;
  context: { dataset: string; split: string };
  measurements: { name: string; value: number | boolean }[];
}

/**
 * A daily evaluation pipeline gamed at its last run: `runs` runs, each a performance evidence on a fresh test set
 * (six metrics with sampling noise, a new pipeline run id) and a drift report; the last run's performance measurements are copied exactly
 * from an earlier run while its own drift report says the data drifted. The stream ends at `end`.
 */
export function gamedStream(toe: string, options: { runs?: number; end?: Date; model?: string; seed?: number } = {}) {
  const runs = options.runs ?? 14;
  const end = (options.end ?? new Date()).getTime();
  const random = seededRandom(options.seed ?? 19);
  const model = options.model ?? 'a'.repeat(64);
  const items: UnifiedEvidence[] = [];
  let copiedFrom: UnifiedEvidence | undefined;
  for (let run = 0; run < runs; run += 1) {
    const last = run === runs - 1;
    const observedAt = end - (runs - 1 - run) * DAY;
    const accuracy = 0.93 + random.normal(0, 0.004);
    const performance: UnifiedEvidence = {
      toe,
      // Only the pinned model: a scope that pins artifacts accepts no evidence about other digests.
      subject: [{ name: 'model.onnx', digest: { sha256: model } }],
      kind: 'performance',
      producer: { tool: 'pytest-eval', toolVersion: '1.0.0', pipelineRunId: `run-${run}` },
      observedAt: new Date(observedAt).toISOString(),
      context: { dataset: 'production-sample', split: 'test' },
      measurements: last
        ? copiedFrom!.measurements.map((measurement) => ({ ...measurement }))
        : [
            { name: 'accuracy', value: accuracy },
            { name: 'precision', value: accuracy - 0.02 + random.normal(0, 0.003) },
            { name: 'recall', value: accuracy - 0.04 + random.normal(0, 0.003) },
            { name: 'f1', value: accuracy - 0.03 + random.normal(0, 0.003) },
            { name: 'auc', value: 0.97 + random.normal(0, 0.002) },
            { name: 'log_loss', value: 0.21 + random.normal(0, 0.01) },
          ],
    };
    if (run === Math.floor(runs / 2)) copiedFrom = performance;
    const share = last ? 0.7 : random.int(0, 2) / 20;
    const drift: UnifiedEvidence = {
      ...performance,
      kind: 'drift',
      producer: { ...performance.producer, tool: 'evidently' },
      observedAt: new Date(observedAt - 60_000).toISOString(),
      measurements: [
        { name: 'drift_share', value: share },
        { name: 'number_of_drifted_columns', value: share * 20 },
        { name: 'dataset_drift', value: share >= 0.5 },
      ],
    };
    // The drift report first: the copied run's observation can then name it.
    items.push(drift, performance);
  }
  return { items, copied: items.at(-1)!, original: copiedFrom! };
}
