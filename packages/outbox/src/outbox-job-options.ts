import type { JobsOptions } from 'bullmq';

/**
 * One job per outbox row, deduplicated by job id: the reconciler may add a row again at any time and BullMQ keeps
 * only one job for it. Failed jobs are removed so that a later reconciliation can add the row once more.
 */
export function outboxJobOptions(outboxId: number): JobsOptions {
  return {
    jobId: `outbox-${outboxId}`,
    // Delays come from the worker's capped backoff. When to give up is counted in Postgres (DELIVERY_MAX_ATTEMPTS,
    // across Redis losses and restarts); BullMQ's own limit only ends a job whose failures were not counted there
    // (the database down), and the reconciler then adds the row once more.
    attempts: 1_000,
    backoff: { type: 'capped' },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
