import type { Kysely, Transaction } from 'kysely';
import type { LedgerLeafInput, LedgerRepository } from './ledger.repository.ts';

/** The largest number of appends committed together. */
const MAX_BATCH = 256;
/**
 * Batches under way at once. The second one waits for the head lock inside Postgres while the first commits, so it
 * starts the moment the lock is free instead of one round trip later.
 */
const IN_FLIGHT = 2;

/** One append: its leaf, and how the caller turns its index into the rows it stores with it. */
export interface AppendRequest<P> {
  leaf: LedgerLeafInput;
  /** Called once the leaf's index is known (e.g. signs the receipt with it); returns what `write` stores. */
  prepare: (logIndex: number) => Promise<P>;
  /**
   * Stores the prepared values of every append of the batch that passes this same function, in one call (multi-row
   * inserts), in the batch's transaction. Pass one stable function, not a new closure per call.
   */
  write: (trx: Transaction<any>, prepared: P[]) => Promise<void>;
}

interface Pending {
  request: AppendRequest<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Appends to the evidence ledger with group commit. Appends requested while a batch is being committed queue in
 * memory; the next batch takes them all in one transaction: it locks the tree head once, gives consecutive indexes
 * in arrival order, prepares every append (concurrently), stores all their rows with one call per `write` function,
 * writes all leaves and nodes in one statement and commits once. So the serialized section costs a handful of
 * statements per batch instead of several per evidence, and callers wait in memory rather than holding pooled
 * connections while they wait for the lock. The first append of an idle process goes out at once, alone.
 *
 * If anything in a batch fails, it is rolled back and each append is retried alone, so one caller's error (a
 * duplicate envelope) never fails another and never leaves a gap. Other processes (replicas) serialize with this one
 * on the head row lock.
 */
export function createLedgerSequencer(db: Kysely<any>, ledger: Pick<LedgerRepository, 'lockHead' | 'appendLeaves'>) {
  const queue: Pending[] = [];
  let inFlight = 0;

  async function commit(batch: Pending[]): Promise<unknown[]> {
    return db.transaction().execute(async (trx) => {
      const head = await ledger.lockHead(trx);
      const prepared = await Promise.all(batch.map((item, offset) => item.request.prepare(head.size + offset)));
      const groups = new Map<AppendRequest<unknown>['write'], unknown[]>();
      batch.forEach((item, i) => {
        const group = groups.get(item.request.write) ?? [];
        group.push(prepared[i]);
        groups.set(item.request.write, group);
      });
      for (const [write, values] of groups) await write(trx, values);
      await ledger.appendLeaves(
        trx,
        head,
        batch.map((item) => item.request.leaf),
      );
      return prepared;
    });
  }

  async function run(batch: Pending[]): Promise<void> {
    try {
      const results = await commit(batch);
      batch.forEach((item, i) => item.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Isolate the failure: each append alone, in order.
      for (const item of batch) await run([item]);
    }
  }

  function kick(): void {
    while (inFlight < IN_FLIGHT && queue.length > 0) {
      inFlight += 1;
      void run(queue.splice(0, MAX_BATCH)).finally(() => {
        inFlight -= 1;
        kick();
      });
    }
  }

  return {
    /** Appends `request.leaf` and stores what `prepare` returned; resolves with it once committed. */
    append<P>(request: AppendRequest<P>): Promise<P> {
      return new Promise<P>((resolve, reject) => {
        queue.push({
          request: request as AppendRequest<unknown>,
          resolve: resolve as (value: unknown) => void,
          reject,
        });
        kick();
      });
    },
  };
}

export type LedgerSequencer = ReturnType<typeof createLedgerSequencer>;
