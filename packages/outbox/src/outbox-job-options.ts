import type { JobsOptions } from 'bullmq';

/**
 * One job per outbox row, deduplicated by job id: the reconciler may add a row again at any time and BullMQ keeps
 * only one job for it. Failed jobs are removed so that a later reconciliation can add the row once more.
 */
export function outboxJobOptions(outboxId: number): JobsOptions {
  return {
    jobId: `outbox-${outboxId}`,
    // Delays come from the worker's capped backoff; past the last attempt the reconciler starts the row over.
    attempts: 30,
    backoff: { type: 'capped' },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
