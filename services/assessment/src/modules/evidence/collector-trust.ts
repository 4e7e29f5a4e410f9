import type { KeyObject } from 'node:crypto';
import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '@cabc/crypto';
import type { ScopesRepository } from '../scopes/scopes.repository.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import type { ToeView } from '../toes/toes.schemas.ts';
import type { ScopeArtifacts } from '../scopes/scope-document.schema.ts';
import { attestationKeyOf, type AttestationKey } from './attestation-keys.ts';

export interface ToeTrust {
  toe: ToeView;
  /** Collector keys by RFC 7638 key id. */
  keys: ReadonlyMap<string, KeyObject>;
  /** The scope version the keys come from (the approved one, else the one under review). */
  scopeVersion: number | undefined;
  /**
   * What that version pins: evidence must be about these. A version written before scopes pinned artifacts pins
   * the ToE's (which, since then, only an approval changes).
   */
  artifacts: ScopeArtifacts;
  /** Third-party attestation producers' keys the version lists. */
  attestationKeys: readonly AttestationKey[];
  /** An open version that proposes other artifacts (named in refusals: "awaits approval"). */
  proposed: { version: number; artifacts: ScopeArtifacts } | undefined;
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
    const open = await deps.scopes.inState(toeId, ['draft', 'submitted', 'changes_requested']);
    return {
      toe,
      keys,
      scopeVersion: scope?.version,
      artifacts: scope?.document.artifacts ?? toe.artifacts,
      attestationKeys: (scope?.document.attestationKeys ?? []).map(attestationKeyOf),
      proposed:
        open?.document.artifacts && open.version !== scope?.version
          ? { version: open.version, artifacts: open.document.artifacts }
          : undefined,
    };
  }

  return {
    /** Forgets the cached trust of a ToE, at most once a second (a refusal about subjects reads afresh first). */
    refresh(toeId: string): boolean {
      const cached = cache.get(toeId);
      if (!cached || now() - cached.loadedAt < MISS_REREAD_MS) return false;
      cache.delete(toeId);
      return true;
    },

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
