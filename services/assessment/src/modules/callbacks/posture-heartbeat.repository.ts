import type { Kysely, Transaction } from 'kysely';
import { CERTIFICATION_BODY_TOPIC } from '../scopes/scope-decisions.ts';

interface HeartbeatDatabase {
  postures: {
    toe: string;
    stated_at: Date;
  };
  outbox: { topic: string; ordering_key: string; status: string };
}

/** What the heartbeat reads and writes besides the posture: when each ToE's posture was last stated, pending messages. */
export function createHeartbeatRepository(database: Kysely<any>) {
  const db = database as Kysely<HeartbeatDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<HeartbeatDatabase> | undefined) ?? db;
  return {
    /** ToEs whose posture was last stated before `before`, oldest first. */
    async due(before: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('postures')
        .select('toe')
        .where('stated_at', '<', before)
        .orderBy('stated_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.toe);
    },

    /** A message to the certification body about this ToE still waiting to be sent (it is signed fresh when sent). */
    async hasPendingMessage(toe: string, trx: Transaction<any>): Promise<boolean> {
      const row = await on(trx)
        .selectFrom('outbox')
        .select('ordering_key')
        .where('topic', '=', CERTIFICATION_BODY_TOPIC)
        .where('ordering_key', '=', toe)
        .where('status', '=', 'pending')
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async markStated(toe: string, at: Date, trx: Transaction<any>): Promise<void> {
      await on(trx).updateTable('postures').set({ stated_at: at }).where('toe', '=', toe).execute();
    },
  };
}

export type HeartbeatRepository = ReturnType<typeof createHeartbeatRepository>;
