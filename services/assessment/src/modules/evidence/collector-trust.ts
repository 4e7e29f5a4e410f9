import type { KeyObject } from 'node:crypto';
import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '@cabc/crypto';
import type { ScopesRepository } from '../scopes/scopes.repository.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import type { ToeView } from '../toes/toes.schemas.ts';

export interface ToeTrust {
  toe: ToeView;
  /** Collector keys by RFC 7638 key id. */
  keys: ReadonlyMap<string, KeyObject>;
}

/**
 * Which collector keys may sign evidence for a ToE: those of its approved scope version; before the first approval,
 * those of the version under review (so evidence gathered meanwhile can be dry-run against the draft), never a
 * draft's. Cached for a few seconds; a key id not in the cache forces a fresh read, so a just-approved key works.
 */
const MISS_REREAD_MS = 1_000;

export function createCollectorTrust(deps: {
  toes: ToesRepository;
  scopes: ScopesRepository;
  ttlMs?: number;
  now?: () => number;
}) {
  const ttlMs = deps.ttlMs ?? 5_000;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { trust: ToeTrust | undefined; loadedAt: number }>();

  async function load(toeId: string): Promise<ToeTrust | undefined> {
    const toe = await deps.toes.find(toeId);
    if (!toe) return undefined;
    const scope =
      (await deps.scopes.inState(toeId, ['approved'])) ??
      (await deps.scopes.inState(toeId, ['submitted', 'changes_requested']));
    const keys = new Map<string, KeyObject>();
    for (const jwk of scope?.document.collectorKeys ?? []) {
      keys.set(await jwkThumbprint(jwk as PublicJwk), publicKeyFromJwk(jwk));
    }
    return { toe, keys };
  }

  return {
    async forToe(toeId: string, keyids: readonly string[]): Promise<ToeTrust | undefined> {
      const cached = cache.get(toeId);
      const age = cached ? now() - cached.loadedAt : Number.POSITIVE_INFINITY;
      const complete = cached?.trust && keyids.every((kid) => cached.trust!.keys.has(kid));
      // A key id not in the cache rereads the scope, but at most once a second: envelopes naming random key ids
      // must not turn every request into database reads.
      if (cached && age < ttlMs && (complete || cached.trust === undefined || age < MISS_REREAD_MS))
        return cached.trust;
      const trust = await load(toeId);
      if (cache.size > 10_000) cache.clear();
      cache.set(toeId, { trust, loadedAt: now() });
      return trust;
    },
  };
}

export type CollectorTrust = ReturnType<typeof createCollectorTrust>;
