import type { JobsOptions } from 'bullmq';

/** One evaluation job per evidence, deduplicated by id so the reconciler can re-add it safely. */
export function evaluationJobOptions(evidenceId: string): JobsOptions {
  return {
    jobId: `evaluate-${evidenceId}`,
    attempts: 10,
    backoff: { type: 'capped' },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
