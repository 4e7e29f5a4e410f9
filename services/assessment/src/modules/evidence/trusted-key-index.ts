import type { KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '@cabc/crypto';

/** The collector keys of one ToE: those that may sign new evidence, and those of older versions (retired). */
export interface ToeKeys {
  trusted: ReadonlyMap<string, KeyObject>;
  retired: ReadonlyMap<string, KeyObject>;
}

// Removed keys stop working within this long on every replica.
const MAX_AGE_MS = 5_000;
// A ToE or key id the index does not know is read for that ToE alone, once per ToE until the next full read, and at
// most MISS_READS_PER_SECOND times a second in all: envelopes naming random ToEs or keys cannot become database load.
const MISS_READS_PER_SECOND = 100;

interface Row {
  toe_id: string;
  state: string;
  version: number;
  keys: unknown;
}

type Entry = { trusted: Map<string, KeyObject>; retired: Map<string, KeyObject> };

// A key's thumbprint and parsed form, by its JWK text: the full read every MAX_AGE_MS hashes only new keys.
const parsedKeys = new Map<string, { kid: string; key: KeyObject }>();

async function parsedKey(jwk: unknown): Promise<{ kid: string; key: KeyObject }> {
  const text = JSON.stringify(jwk);
  const known = parsedKeys.get(text);
  if (known) return known;
  const parsed = { kid: await jwkThumbprint(jwk as PublicJwk), key: publicKeyFromJwk(jwk) };
  if (parsedKeys.size > 100_000) parsedKeys.clear();
  parsedKeys.set(text, parsed);
  return parsed;
}

async function indexRows(rows: readonly Row[]): Promise<Map<string, Entry>> {
  const next = new Map<string, Entry>();
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
        const { kid, key } = await parsedKey(jwk);
        into.set(kid, key);
      } catch {
        // Validated when the scope was stored; a key that no longer parses trusts nothing.
      }
    }
  }
  for (const entry of next.values()) for (const kid of entry.trusted.keys()) entry.retired.delete(kid);
  return next;
}

/**
 * Every ToE's collector keys in memory, so an unauthenticated envelope's signature is checked before any database
 * work is done on its behalf. The whole index is one query, reread when older than MAX_AGE_MS or when this replica
 * changed a scope (`invalidate`); a ToE or key id it does not know is looked up for that ToE alone, within the miss
 * budget above, so however many envelopes name unknown ToEs or keys, the database sees a bounded number of reads.
 */
export function createTrustedKeyIndex(db: Kysely<any>, now: () => number = Date.now) {
  let index = new Map<string, Entry>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let stale = true;
  let loading: Promise<void> | undefined;
  const missReadAt = new Map<string, number>();
  let missWindow = { second: 0, reads: 0 };

  const select = (toeId?: string) =>
    sql<Row>`
      select toe_id, state, version, document->'collectorKeys' as keys from scope_versions
      where state <> 'draft' ${toeId === undefined ? sql`` : sql`and toe_id = ${toeId}`}
      order by toe_id, version`.execute(db);

  async function reload(): Promise<void> {
    loading ??= (async () => {
      const started = now();
      index = await indexRows((await select()).rows);
      loadedAt = started;
      stale = false;
      missReadAt.clear();
    })().finally(() => {
      loading = undefined;
    });
    await loading;
  }

  function mayReadMiss(toeId: string): boolean {
    const at = now();
    if (missReadAt.has(toeId)) return false;
    const second = Math.floor(at / 1000);
    if (missWindow.second !== second) missWindow = { second, reads: 0 };
    if (missWindow.reads >= MISS_READS_PER_SECOND) return false;
    missWindow.reads += 1;
    if (missReadAt.size > 10_000) missReadAt.clear();
    missReadAt.set(toeId, at);
    return true;
  }

  const knows = (toeId: string, keyids: readonly string[]) => {
    const keys = index.get(toeId);
    return keys !== undefined && keyids.some((kid) => keys.trusted.has(kid) || keys.retired.has(kid));
  };

  return {
    async keysOf(toeId: string, keyids: readonly string[]): Promise<ToeKeys | undefined> {
      if (stale || now() - loadedAt > MAX_AGE_MS) await reload();
      if (!knows(toeId, keyids) && mayReadMiss(toeId)) {
        const entry = (await indexRows((await select(toeId)).rows)).get(toeId);
        if (entry) index.set(toeId, entry);
        else index.delete(toeId);
      }
      return index.get(toeId);
    },
    /** This replica changed which keys a scope trusts: the next lookup rereads. */
    invalidate(): void {
      stale = true;
    },
  };
}

export type TrustedKeyIndex = ReturnType<typeof createTrustedKeyIndex>;
