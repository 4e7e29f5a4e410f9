import type { Kysely } from 'kysely';

interface CheckpointsDatabase {
  auditor_checkpoints: {
    id?: number;
    origin: string;
    size: string | number;
    root_hash: Buffer;
    note: string;
    callback_jti: string | null;
    consistency: string;
    received_at?: Date;
  };
  ledger_alerts: {
    id?: number;
    kind: string;
    detail: string;
    checkpoint_size: string | number | null;
    notes: string;
    callback_jti: string | null;
    toe: string | null;
    at?: Date;
  };
}

export interface HeldCheckpoint {
  size: number;
  rootHash: Buffer;
  note: string;
}

export interface ConsistencyLink {
  /** The held checkpoint this one was proven consistent with. */
  size: number;
  rootHash: string;
  /** The consistency proof, base64 hashes, from the smaller to the larger tree. */
  proof: string[];
}

export type LedgerAlertKind = 'bad_signature' | 'checkpoint_mismatch' | 'fork' | 'inconsistent';

export interface LedgerAlert {
  kind: LedgerAlertKind;
  detail: string;
  checkpointSize: number | null;
  notes: string;
  callbackJti: string | null;
  toe: string | null;
}

const held = (row: { size: string | number; root_hash: Buffer; note: string }): HeldCheckpoint => ({
  size: Number(row.size),
  rootHash: row.root_hash,
  note: row.note,
});

/** The auditor checkpoints this service verified, and the alerts about those it could not. */
export function createAuditorCheckpointsRepository(database: Kysely<any>) {
  const db = database as Kysely<CheckpointsDatabase>;
  return {
    /** The held checkpoints next to `size`: the largest at or below it and the smallest at or above it. */
    async neighbours(size: number): Promise<{ below?: HeldCheckpoint; above?: HeldCheckpoint }> {
      const [below, above] = await Promise.all([
        db
          .selectFrom('auditor_checkpoints')
          .select(['size', 'root_hash', 'note'])
          .where('size', '<=', size)
          .orderBy('size', 'desc')
          .limit(1)
          .executeTakeFirst(),
        db
          .selectFrom('auditor_checkpoints')
          .select(['size', 'root_hash', 'note'])
          .where('size', '>=', size)
          .orderBy('size')
          .limit(1)
          .executeTakeFirst(),
      ]);
      return { ...(below ? { below: held(below) } : {}), ...(above ? { above: held(above) } : {}) };
    },

    async add(checkpoint: HeldCheckpoint & { origin: string; callbackJti: string; links: ConsistencyLink[] }) {
      await db
        .insertInto('auditor_checkpoints')
        .values({
          origin: checkpoint.origin,
          size: checkpoint.size,
          root_hash: checkpoint.rootHash,
          note: checkpoint.note,
          callback_jti: checkpoint.callbackJti,
          consistency: JSON.stringify(checkpoint.links),
        })
        .onConflict((oc) => oc.columns(['size', 'root_hash']).doNothing())
        .execute();
    },

    async alert(alert: LedgerAlert): Promise<void> {
      await db
        .insertInto('ledger_alerts')
        .values({
          kind: alert.kind,
          detail: alert.detail,
          checkpoint_size: alert.checkpointSize,
          notes: alert.notes,
          callback_jti: alert.callbackJti,
          toe: alert.toe,
        })
        .execute();
    },

    async alerts(limit: number) {
      const rows = await db
        .selectFrom('ledger_alerts')
        .select(['id', 'kind', 'detail', 'checkpoint_size', 'notes', 'callback_jti', 'toe', 'at'])
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: Number(row.id),
        kind: row.kind,
        detail: row.detail,
        checkpointSize: row.checkpoint_size === null ? null : Number(row.checkpoint_size),
        notes: row.notes,
        callbackJti: row.callback_jti,
        toe: row.toe,
        at: row.at!.toISOString(),
      }));
    },
  };
}

export type AuditorCheckpointsRepository = ReturnType<typeof createAuditorCheckpointsRepository>;
