import type { KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '@cabc/crypto';

/** The collector keys of one ToE: those that may sign new evidence, and those of older versions (retired). */
export interface ToeKeys {
  trusted: ReadonlyMap<string, KeyObject>;
  retired: ReadonlyMap<string, KeyObject>;
}

// A key id the index does not know rereads it, but at most this often, whoever asks.
const MISS_REREAD_MS = 1_000;
// Removed keys stop working within this long on every replica.
const MAX_AGE_MS = 5_000;

interface Row {
  toe_id: string;
  state: string;
  version: number;
  keys: unknown;
}

/**
 * Every ToE's collector keys in memory, so an unauthenticated envelope's signature is checked before any database
 * work done on its behalf. The whole index is one query; it is reread when older than MAX_AGE_MS, when this replica
 * changed a scope (`invalidate`), or when a key id is missing and the last read is older than MISS_REREAD_MS — so
 * however many envelopes name unknown ToEs or keys, the database sees at most one read a second.
 */
export function createTrustedKeyIndex(db: Kysely<any>, now: () => number = Date.now) {
  let index = new Map<string, ToeKeys>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let stale = true;
  let loading: Promise<void> | undefined;

  async function load(): Promise<void> {
    const { rows } = await sql<Row>`
      select toe_id, state, version, document->'collectorKeys' as keys from scope_versions
      where state <> 'draft' order by toe_id, version`.execute(db);
    const next = new Map<string, { trusted: Map<string, KeyObject>; retired: Map<string, KeyObject> }>();
    const trustedVersion = new Map<string, number>();
    // The approved version's keys, else (before the first approval) those of the version under review.
    for (const row of rows) {
      if (row.state === 'approved') trustedVersion.set(row.toe_id, row.version);
      else if ((row.state === 'submitted' || row.state === 'changes_requested') && !trustedVersion.has(row.toe_id))
        trustedVersion.set(row.toe_id, row.version);
    }
    for (const row of rows) {
      const entry = next.get(row.toe_id) ?? { trusted: new Map(), retired: new Map() };
      next.set(row.toe_id, entry);
      const into = trustedVersion.get(row.toe_id) === row.version ? entry.trusted : entry.retired;
      for (const jwk of Array.isArray(row.keys) ? row.keys : []) {
        try {
          into.set(await jwkThumbprint(jwk as PublicJwk), publicKeyFromJwk(jwk));
        } catch {
          // Validated when the scope was stored; a key that no longer parses trusts nothing.
        }
      }
    }
    for (const entry of next.values()) for (const kid of entry.trusted.keys()) entry.retired.delete(kid);
    index = next;
    loadedAt = now();
    stale = false;
  }

  async function reload(): Promise<void> {
    loading ??= load().finally(() => {
      loading = undefined;
    });
    await loading;
  }

  const knows = (toeId: string, keyids: readonly string[]) => {
    const keys = index.get(toeId);
    return keys !== undefined && keyids.some((kid) => keys.trusted.has(kid) || keys.retired.has(kid));
  };

  return {
    async keysOf(toeId: string, keyids: readonly string[]): Promise<ToeKeys | undefined> {
      const age = now() - loadedAt;
      if (stale || age > MAX_AGE_MS || (!knows(toeId, keyids) && age > MISS_REREAD_MS)) await reload();
      return index.get(toeId);
    },
    /** This replica changed which keys a scope trusts: the next lookup rereads. */
    invalidate(): void {
      stale = true;
    },
  };
}

export type TrustedKeyIndex = ReturnType<typeof createTrustedKeyIndex>;
