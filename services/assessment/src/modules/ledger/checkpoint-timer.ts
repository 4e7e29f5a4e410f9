import type { Logger } from 'pino';
import { startPeriodic } from '@cabc/service-kit';
import type { LedgerService } from './ledger.service.ts';

/**
 * Signs a checkpoint every `intervalMs` when the log grew. A plain timer: it needs only Postgres, so checkpoints keep
 * coming when Redis is down. Several replicas may run it; one checkpoint per size and key is stored.
 */
export function startCheckpointTimer(deps: { ledger: LedgerService; logger: Logger; intervalMs: number }) {
  const signIfGrown = async (): Promise<void> => {
    try {
      const checkpoint = await deps.ledger.checkpointIfGrown();
      if (checkpoint)
        deps.logger.info({ size: checkpoint.size, origin: checkpoint.origin }, 'ledger checkpoint signed');
    } catch (error) {
      deps.logger.error({ err: error }, 'ledger checkpoint failed; retrying at the next interval');
    }
  };
  // signIfGrown logs its own failures, so that runOnce (tests, shutdown) never throws either.
  return startPeriodic({ run: signIfGrown, intervalMs: deps.intervalMs, onError: () => undefined });
}
