import type { JobsOptions } from 'bullmq';

/**
 * One job per outbox row, deduplicated by job id: the reconciler may add a row again at any time and BullMQ keeps
 * only one job for it. Failed jobs are removed so that a later reconciliation can add the row once more.
 */
export function outboxJobOptions(outboxId: number, options: { attempts?: number; baseDelayMs?: number } = {}): JobsOptions {
  return {
    jobId: `outbox-${outboxId}`,
    attempts: options.attempts ?? 10,
    backoff: { type: 'exponential', delay: options.baseDelayMs ?? 500, jitter: 0.5 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
