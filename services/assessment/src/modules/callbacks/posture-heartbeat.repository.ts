import type { Kysely, Transaction } from 'kysely';
import type { Posture } from '@cabc/contracts';
import { CERTIFICATION_BODY_TOPIC } from '../scopes/scope-decisions.ts';

interface HeartbeatDatabase {
  postures: {
    toe: string;
    posture: Posture;
    scope_version: number | null;
    sequence: number;
    assessment_id: string;
    critical_failed: boolean;
    stated_at: Date;
  };
  outbox: { topic: string; ordering_key: string; status: string };
}

export interface StatedPosture {
  toe: string;
  posture: Posture;
  scopeVersion: number | null;
  sequence: number;
  assessmentId: string;
  criticalFailed: boolean;
  statedAt: Date;
}

/** What the heartbeat reads and writes: when each ToE's posture was last stated to the certification body. */
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

    async posture(toe: string, trx: Transaction<any>): Promise<StatedPosture | undefined> {
      const row = await on(trx).selectFrom('postures').selectAll().where('toe', '=', toe).executeTakeFirst();
      return row
        ? {
            toe: row.toe,
            posture: row.posture,
            scopeVersion: row.scope_version,
            sequence: row.sequence,
            assessmentId: row.assessment_id,
            criticalFailed: row.critical_failed,
            statedAt: row.stated_at,
          }
        : undefined;
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
