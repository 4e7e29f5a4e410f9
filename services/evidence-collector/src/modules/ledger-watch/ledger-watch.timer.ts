import type { Logger } from 'pino';
import type { LedgerWatcher, WatchRun } from './ledger-watch.service.ts';

/** Runs the watcher every `intervalMs` (a plain timer: no Redis); one run at a time; 0 turns it off. */
export function startLedgerWatchTimer(deps: { watcher: LedgerWatcher; logger: Logger; intervalMs: number }) {
  let running: Promise<WatchRun> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = deps.watcher.runOnce().finally(() => {
      running = undefined;
    });
  };
  const timer = deps.intervalMs > 0 ? setInterval(tick, deps.intervalMs) : undefined;
  timer?.unref();
  if (!timer) deps.logger.info('evidence ledger watcher off (LEDGER_WATCH_INTERVAL=0)');
  return {
    /** One run now, after any run in progress. */
    runOnce: async (): Promise<WatchRun> => {
      await running;
      return deps.watcher.runOnce();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
