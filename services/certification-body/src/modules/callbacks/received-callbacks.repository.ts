import type { Kysely, Transaction } from 'kysely';

export type CallbackKind = 'posture' | 'scope';

interface CallbacksDatabase {
  received_callbacks: {
    id?: number;
    kind: CallbackKind;
    jti: string | null;
    toe: string | null;
    scope_version: number | null;
    sequence: number | null;
    outcome: string;
    detail: string;
    token: string;
    received_at: Date;
  };
  certifications: { toe: string; org: string | null };
}

export interface ReceivedCallback {
  kind: CallbackKind;
  jti: string | null;
  toe: string | null;
  scopeVersion: number | null;
  sequence: number | null;
  outcome: string;
  detail: string;
  token: string;
}

/** Every callback that reached the certification body, accepted or refused: replay protection and audit record. */
export function createReceivedCallbacksRepository(database: Kysely<any>, now: () => Date = () => new Date()) {
  const db = database as Kysely<CallbacksDatabase>;
  return {
    /** Records a callback; false when its jti was recorded before (a retry or a replay). */
    async record(callback: ReceivedCallback, trx?: Transaction<any>): Promise<boolean> {
      const executor = (trx as Transaction<CallbacksDatabase> | undefined) ?? db;
      const inserted = await executor
        .insertInto('received_callbacks')
        .values({
          kind: callback.kind,
          jti: callback.jti,
          toe: callback.toe,
          scope_version: callback.scopeVersion,
          sequence: callback.sequence,
          outcome: callback.outcome,
          detail: callback.detail,
          token: callback.token,
          received_at: now(),
        })
        .onConflict((oc) => oc.column('jti').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async setOutcome(jti: string, outcome: string, detail: string, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<CallbacksDatabase>)
        .updateTable('received_callbacks')
        .set({ outcome, detail })
        .where('jti', '=', jti)
        .execute();
    },

    async find(jti: string): Promise<{ outcome: string; detail: string } | undefined> {
      return db
        .selectFrom('received_callbacks')
        .select(['outcome', 'detail'])
        .where('jti', '=', jti)
        .executeTakeFirst();
    },

    /**
     * Callbacks about the ToEs `org` has certifications for. A callback carries no organization of its own, and one
     * refused before its claims were verified names no ToE: those are listed to nobody (they stay in the table).
     */
    async list(filter: { org: string; kind?: CallbackKind; outcome?: string; toe?: string }, limit: number) {
      let query = db
        .selectFrom('received_callbacks')
        .select(['id', 'kind', 'jti', 'toe', 'scope_version', 'sequence', 'outcome', 'detail', 'received_at'])
        .where('toe', 'in', db.selectFrom('certifications').select('toe').where('org', '=', filter.org));
      if (filter.kind) query = query.where('kind', '=', filter.kind);
      if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
      if (filter.toe) query = query.where('toe', '=', filter.toe);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },
  };
}

export type ReceivedCallbacksRepository = ReturnType<typeof createReceivedCallbacksRepository>;
