import type { Logger } from 'pino';
import type { LedgerService } from './ledger.service.ts';

/**
 * Signs a checkpoint every `intervalMs` when the log grew. A plain timer: it needs only Postgres, so checkpoints keep
 * coming when Redis is down. Several replicas may run it; one checkpoint per size and key is stored.
 */
export function startCheckpointTimer(deps: { ledger: LedgerService; logger: Logger; intervalMs: number }) {
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = async (): Promise<void> => {
    try {
      const checkpoint = await deps.ledger.checkpointIfGrown();
      if (checkpoint)
        deps.logger.info({ size: checkpoint.size, origin: checkpoint.origin }, 'ledger checkpoint signed');
    } catch (error) {
      deps.logger.error({ err: error }, 'ledger checkpoint failed; retrying at the next interval');
    }
  };
  const tick = () => {
    if (stopped || running) return;
    running = runOnce().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, deps.intervalMs);
  timer.unref();

  return {
    /** Signs now if the log grew (tests, shutdown). */
    runOnce: async () => {
      await running;
      await runOnce();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
