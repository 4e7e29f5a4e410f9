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
  const runOnce = async (): Promise<number> => {
    const items = await deps.findPending(new Date(Date.now() - (deps.settleMs ?? 2_000)));
    if (items.length > 0) await deps.enqueue(items);
    return items.length;
  };
  const task = startPeriodic({
    run: runOnce,
    intervalMs: deps.intervalMs,
    immediately: deps.immediately ?? false,
    // An outage is logged once by the connection that failed; one short line per failed round here.
    onError: (error) =>
      deps.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'reconciliation failed; will try again',
      ),
  });
  return { runOnce, stop: task.stop };
}
