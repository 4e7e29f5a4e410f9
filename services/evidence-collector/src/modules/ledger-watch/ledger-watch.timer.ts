import type { Logger } from 'pino';
import { startPeriodic, type PeriodicTask } from '@cabc/service-kit';
import type { LedgerWatcher, WatchRun } from './ledger-watch.service.ts';

/** Runs the watcher every `intervalMs` (a plain timer: no Redis); one run at a time; 0 turns it off. */
export function startLedgerWatchTimer(deps: {
  watcher: LedgerWatcher;
  logger: Logger;
  intervalMs: number;
}): PeriodicTask<WatchRun> {
  if (deps.intervalMs <= 0) deps.logger.info('evidence ledger watcher off (LEDGER_WATCH_INTERVAL=0)');
  return startPeriodic({
    run: () => deps.watcher.runOnce(),
    intervalMs: Math.max(0, deps.intervalMs),
    onError: (error) =>
      deps.logger.error({ err: error }, 'evidence ledger watch failed; retrying at the next interval'),
  });
}
