import type { Kysely, Transaction } from 'kysely';

interface CallbacksDatabase {
  received_callbacks: {
    id?: number;
    jti: string | null;
    toe: string | null;
    sequence: number | null;
    outcome: string;
    detail: string;
    token: string;
    received_at: Date;
  };
}

export interface ReceivedCallback {
  jti: string | null;
  toe: string | null;
  sequence: number | null;
  outcome: string;
  detail: string;
  token: string;
}

/** Every callback that reached the certification body, accepted or refused: replay protection and audit record. */
export function createReceivedCallbacksRepository(database: Kysely<any>) {
  const db = database as Kysely<CallbacksDatabase>;
  return {
    /** Records a callback; false when its jti was recorded before (a retry or a replay). */
    async record(callback: ReceivedCallback, trx?: Transaction<any>): Promise<boolean> {
      const executor = (trx as Transaction<CallbacksDatabase> | undefined) ?? db;
      const inserted = await executor
        .insertInto('received_callbacks')
        .values({ ...callback, received_at: new Date() })
        .onConflict((oc) => oc.column('jti').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async setOutcome(jti: string, outcome: string, detail: string, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<CallbacksDatabase>).updateTable('received_callbacks').set({ outcome, detail }).where('jti', '=', jti).execute();
    },

    async find(jti: string): Promise<{ outcome: string; detail: string } | undefined> {
      return db.selectFrom('received_callbacks').select(['outcome', 'detail']).where('jti', '=', jti).executeTakeFirst();
    },

    async list(limit: number) {
      return db.selectFrom('received_callbacks').selectAll().orderBy('id', 'desc').limit(limit).execute();
    },
  };
}

export type ReceivedCallbacksRepository = ReturnType<typeof createReceivedCallbacksRepository>;
