import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';

/** One database transaction plus the work that must wait until it has committed (enqueueing jobs). */
export interface UnitOfWork {
  readonly trx: Transaction<any>;
  afterCommit(effect: () => Promise<void>): void;
}

export type RunInTransaction = <T>(work: (uow: UnitOfWork) => Promise<T>) => Promise<T>;

/**
 * Runs `work` in a transaction; the effects it registered run after the commit, never before and never after a
 * rollback. An effect that fails is logged, not thrown: what it would have done is owed work that a reconciler finds
 * in Postgres (e.g. a webhook delivery row), so the caller's answer stays the committed truth.
 */
export function createTransactionRunner(db: Kysely<any>, logger: Logger): RunInTransaction {
  return async (work) => {
    const effects: (() => Promise<void>)[] = [];
    const result = await db
      .transaction()
      .execute((trx) => work({ trx, afterCommit: (effect) => effects.push(effect) }));
    for (const effect of effects) {
      try {
        await effect();
      } catch (error) {
        logger.warn({ err: error }, 'after-commit effect failed; the reconciler will catch up');
      }
    }
    return result;
  };
}
