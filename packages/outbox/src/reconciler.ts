import type { Logger } from 'pino';
import { startPeriodic } from '@cabc/service-kit';

/**
 * Redis may lose jobs (restart without persistence, eviction); Postgres does not. On a plain timer, independent of
 * Redis, this re-enqueues every row that still owes work; job-id deduplication makes that a no-op for rows that
 * still have a job. Used for outbox rows and for any other "work owed" table.
 */
export function startReconciler<T>(deps: {
  /** Rows owing work, created before `olderThan` (younger ones still have their first job on its way). */
  findPending: (olderThan: Date) => Promise<T[]>;
  enqueue: (items: T[]) => Promise<void>;
  logger: Logger;
  intervalMs: number;
  settleMs?: number;
  /** The first round at once instead of after one interval (recovery at boot). */
  immediately?: boolean;
}): { stop: () => Promise<void>; runOnce: () => Promise<number> } {
  // An outage fails every round: the first failure is a warning, the rest debug lines, the recovery one info line.
  let failingSince: number | undefined;
  const runOnce = async (): Promise<number> => {
    const items = await deps.findPending(new Date(Date.now() - (deps.settleMs ?? 2_000)));
    if (items.length > 0) await deps.enqueue(items);
    if (failingSince !== undefined) {
      deps.logger.info({ failedForMs: Date.now() - failingSince }, 'reconciliation works again');
      failingSince = undefined;
    }
    return items.length;
  };
  const task = startPeriodic({
    run: runOnce,
    intervalMs: deps.intervalMs,
    immediately: deps.immediately ?? false,
    onError: (error) => {
      const line = { error: error instanceof Error ? error.message : String(error) };
      if (failingSince !== undefined) return deps.logger.debug(line, 'reconciliation still failing');
      failingSince = Date.now();
      deps.logger.warn(line, 'reconciliation failed; will try again every interval');
    },
  });
  return { runOnce, stop: task.stop };
}
