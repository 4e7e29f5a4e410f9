import { sql, type Kysely, type Transaction } from 'kysely';
import { sha256Hex } from '@cabc/crypto';
import {
  encodeLeaf,
  HASH_SIZE,
  leafHash,
  nodesToAppend,
  perfectSubtrees,
  type LeafFields,
  type NodeCoord,
  type NodeReader,
  type StoredNode,
} from '@cabc/ledger';

/** What the log commits to for one accepted evidence (see docs/ledger.md, "Leaves"). */
export interface LedgerLeafInput extends LeafFields {
  evidenceId: string;
  sequence: number;
}

export interface StoredCheckpoint {
  id: number;
  origin: string;
  size: number;
  rootHash: Buffer;
  kid: string;
  verifierKey: string;
  note: string;
  createdAt: Date;
}

/** The tree head as locked by an appender: its size and the right edge (hashes tiling [0, size)). */
export interface LedgerHead {
  size: number;
  edge: Buffer;
}

export interface NewCheckpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  kid: string;
  verifierKey: string;
  note: string;
}

/** A committed leaf with the evidence row it points to as stored now (null when that row is gone). */
export interface LeafRecord {
  index: number;
  evidenceId: string;
  envelopeSha256: string;
  leafHash: Buffer;
  stored: { envelope: string; sequence: number; receivedAt: Date; toe: string } | null;
}

interface CheckpointRow {
  id: number;
  origin: string;
  size: number;
  root_hash: Buffer;
  kid: string;
  verifier_key: string;
  note: string;
  created_at: Date;
}

const toCheckpoint = (row: CheckpointRow): StoredCheckpoint => ({
  id: Number(row.id),
  origin: row.origin,
  size: Number(row.size),
  rootHash: row.root_hash,
  kid: row.kid,
  verifierKey: row.verifier_key,
  note: row.note,
  createdAt: row.created_at,
});

/**
 * The leaf hash of an evidence row as stored: SHA-256 of the stored envelope text, its sequence, received_at (ms)
 * and ToE. Undefined when the fields cannot be encoded any more (e.g. a ToE emptied by hand).
 */
export function storedLeafHash(stored: {
  envelope: string;
  sequence: number;
  receivedAt: Date;
  toe: string;
}): Buffer | undefined {
  try {
    return leafHash(
      encodeLeaf({
        envelopeSha256: sha256Hex(stored.envelope),
        sequence: stored.sequence,
        receivedAt: stored.receivedAt,
        toe: stored.toe,
      }),
    );
  } catch {
    return undefined;
  }
}

/** A reader over the right edge kept in the tree head: serves exactly the perfect subtrees tiling [0, size). */
function edgeReader(size: number, edge: Buffer): { coords: NodeCoord[]; read: NodeReader } {
  const coords = perfectSubtrees(0, size);
  if (edge.length !== coords.length * HASH_SIZE) {
    throw new Error(
      `ledger head: edge of ${edge.length} bytes does not match size ${size} (${coords.length} subtrees)`,
    );
  }
  const read: NodeReader = async (requested) =>
    requested.map((coord) => {
      const position = coords.findIndex((c) => c.level === coord.level && c.index === coord.index);
      if (position < 0)
        throw new Error(`node (${coord.level}, ${coord.index}) is not on the right edge of size ${size}`);
      return edge.subarray(position * HASH_SIZE, (position + 1) * HASH_SIZE);
    });
  return { coords, read };
}

/** The Postgres node store of the evidence ledger: tree head, leaves, perfect-subtree nodes and checkpoints. */
export function createLedgerRepository(db: Kysely<any>) {
  /** One query for any set of coordinates, answered in request order; throws when a node is not stored. */
  const reader: NodeReader = async (coords) => {
    if (coords.length === 0) return [];
    const { rows } = await sql<{ hash: Buffer | null }>`
      select n.hash
      from unnest(${coords.map((c) => c.level)}::smallint[], ${coords.map((c) => c.index)}::bigint[]) with ordinality as q(level, idx, ord)
      left join ledger_nodes n on n.level = q.level and n.idx = q.idx
      order by q.ord`.execute(db);
    return rows.map((row, i) => {
      if (!row.hash) throw new Error(`ledger node (${coords[i]!.level}, ${coords[i]!.index}) is not stored`);
      return row.hash;
    });
  };

  /**
   * Locks the tree head row until the caller's transaction ends (appends are serialized by it) and returns it.
   * Take it first in the transaction: every appender takes this one lock first, so there is no deadlock.
   */
  async function lockHead(trx: Transaction<any>): Promise<LedgerHead> {
    const { rows } = await sql<{
      size: number;
      edge: Buffer;
    }>`select size, edge from ledger_head where id for update`.execute(trx);
    const head = rows[0];
    if (!head) throw new Error('ledger_head has no row; is migration 20261128_0003_ledger applied?');
    return { size: Number(head.size), edge: head.edge };
  }

  /**
   * Appends leaves at head.size, head.size + 1, … in the transaction that locked `head`: the leaf rows, every node
   * they complete and the new head, in one statement. Returns the new size.
   */
  async function appendLeaves(
    trx: Transaction<any>,
    head: LedgerHead,
    leaves: readonly LedgerLeafInput[],
  ): Promise<number> {
    const hashes = leaves.map((leaf) => leafHash(encodeLeaf(leaf)));
    const { read } = edgeReader(head.size, head.edge);
    const created = await nodesToAppend(head.size, hashes, read);
    const newSize = head.size + leaves.length;
    const newEdge = edgeAfter(head.size, head.edge, created);
    await sql`
      with leaves as (
        insert into ledger_leaves (leaf_index, evidence_id, envelope_sha256, leaf_hash)
        select * from unnest(${leaves.map((_, i) => head.size + i)}::bigint[], ${leaves.map((leaf) => leaf.evidenceId)}::uuid[],
                             ${leaves.map((leaf) => leaf.envelopeSha256)}::text[], ${hashes}::bytea[])
      ), nodes as (
        insert into ledger_nodes (level, idx, hash)
        select * from unnest(${created.map((n) => n.level)}::smallint[], ${created.map((n) => n.index)}::bigint[], ${created.map((n) => n.hash)}::bytea[])
      )
      update ledger_head set size = ${newSize}, edge = ${newEdge}, updated_at = now() where id`.execute(trx);
    return newSize;
  }

  return {
    reader,

    lockHead,
    appendLeaves,

    /** Appends one leaf in the caller's transaction (locking the head until it ends); returns its index. */
    async append(trx: Transaction<any>, leaf: LedgerLeafInput): Promise<number> {
      const head = await lockHead(trx);
      await appendLeaves(trx, head, [leaf]);
      return head.size;
    },

    /** The current number of leaves. */
    async size(): Promise<number> {
      const { rows } = await sql<{ size: number }>`select size from ledger_head where id`.execute(db);
      return Number(rows[0]?.size ?? 0);
    },

    async indexOfEvidence(evidenceId: string): Promise<number | undefined> {
      const { rows } = await sql<{
        leaf_index: number;
      }>`select leaf_index from ledger_leaves where evidence_id = ${evidenceId}`.execute(db);
      return rows[0] ? Number(rows[0].leaf_index) : undefined;
    },

    async leafAt(index: number): Promise<LeafRecord | undefined> {
      const { rows } = await sql<{
        leaf_index: number;
        evidence_id: string;
        envelope_sha256: string;
        leaf_hash: Buffer;
        envelope: string | null;
        sequence: number | null;
        received_at: Date | null;
        toe: string | null;
      }>`
        select l.leaf_index, l.evidence_id, l.envelope_sha256, l.leaf_hash, e.envelope, e.sequence, e.received_at, e.toe
        from ledger_leaves l left join evidence e on e.id = l.evidence_id
        where l.leaf_index = ${index}`.execute(db);
      const row = rows[0];
      if (!row) return undefined;
      return {
        index: Number(row.leaf_index),
        evidenceId: row.evidence_id,
        envelopeSha256: row.envelope_sha256,
        leafHash: row.leaf_hash,
        stored:
          row.envelope === null || row.sequence === null || row.received_at === null || row.toe === null
            ? null
            : { envelope: row.envelope, sequence: Number(row.sequence), receivedAt: row.received_at, toe: row.toe },
      };
    },

    /** Stores a checkpoint unless one of this size by this key exists; returns the stored one and whether it is new. */
    async addCheckpoint(checkpoint: NewCheckpoint): Promise<{ created: boolean; checkpoint: StoredCheckpoint }> {
      const { rows } = await sql<CheckpointRow>`
        insert into ledger_checkpoints (origin, size, root_hash, kid, verifier_key, note)
        values (${checkpoint.origin}, ${checkpoint.size}, ${checkpoint.rootHash}, ${checkpoint.kid}, ${checkpoint.verifierKey}, ${checkpoint.note})
        on conflict (size, kid) do nothing
        returning *`.execute(db);
      if (rows[0]) return { created: true, checkpoint: toCheckpoint(rows[0]) };
      const existing = await sql<CheckpointRow>`
        select * from ledger_checkpoints where size = ${checkpoint.size} and kid = ${checkpoint.kid}`.execute(db);
      return { created: false, checkpoint: toCheckpoint(existing.rows[0]!) };
    },

    async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
      const { rows } =
        await sql<CheckpointRow>`select * from ledger_checkpoints order by size desc, id desc limit 1`.execute(db);
      return rows[0] ? toCheckpoint(rows[0]) : undefined;
    },

    async checkpointOfSize(size: number): Promise<StoredCheckpoint | undefined> {
      const { rows } =
        await sql<CheckpointRow>`select * from ledger_checkpoints where size = ${size} order by id desc limit 1`.execute(
          db,
        );
      return rows[0] ? toCheckpoint(rows[0]) : undefined;
    },

    /** Checkpoints in the order they were signed, after the one with id `afterId`. */
    async listCheckpoints(options: { afterId: number; limit: number }): Promise<StoredCheckpoint[]> {
      const { rows } = await sql<CheckpointRow>`
        select * from ledger_checkpoints where id > ${options.afterId} order by id limit ${options.limit}`.execute(db);
      return rows.map(toCheckpoint);
    },
  };
}

/** The right edge after appending: the perfect subtrees tiling [0, size + created leaves), from the old edge and the new nodes. */
function edgeAfter(size: number, edge: Buffer, created: readonly StoredNode[]): Buffer {
  const known = new Map<string, Buffer>();
  perfectSubtrees(0, size).forEach((coord, i) =>
    known.set(`${coord.level}:${coord.index}`, edge.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
  );
  for (const node of created) known.set(`${node.level}:${node.index}`, node.hash);
  const leaves = created.filter((node) => node.level === 0).length;
  return Buffer.concat(
    perfectSubtrees(0, size + leaves).map((coord) => {
      const hash = known.get(`${coord.level}:${coord.index}`);
      if (!hash) throw new Error(`right edge: node (${coord.level}, ${coord.index}) unknown after append`);
      return hash;
    }),
  );
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
