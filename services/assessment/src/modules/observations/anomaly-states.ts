import type { Transaction } from 'kysely';
import {
  emptyState,
  observeEvidence,
  restoreState,
  STATE_SCHEMA_VERSION,
  type AnomalyScope,
  type AnomalyState,
  type Observation,
} from '@cabc/anomaly';
import type { ObservationsRepository } from './observations.repository.ts';

interface CachedState {
  state: AnomalyState;
  /** Ledger sequence of the newest evidence folded in. */
  sequence: number;
  /** Evidence folded in since the stored snapshot. */
  sinceSnapshot: number;
}

/**
 * The detector state of each ToE, kept in memory between evaluations (a bounded LRU) and stored as a snapshot every
 * `snapshotEvery` evidence. A worker that has no state, or one behind what another worker observed (the
 * `observed_sequence` every evaluation records), loads the snapshot and replays the ledger since: `replay` equals
 * the incremental computation, and observations are unique per (evidence, signal), so re-raised ones are no-ops.
 * Callers hold the ToE's advisory lock, so a ToE's evidence is folded in by one worker at a time.
 */
export function createAnomalyStates(
  repository: ObservationsRepository,
  options: { snapshotEvery: number; cacheSize: number },
) {
  const cache = new Map<string, CachedState>();
  const remember = (toeId: string, entry: CachedState) => {
    cache.delete(toeId);
    if (options.cacheSize === 0) return;
    if (cache.size >= options.cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(toeId, entry);
  };

  const load = async (toeId: string, trx: Transaction<any>): Promise<CachedState> => {
    const stored = await repository.snapshot(toeId, trx);
    const current =
      stored &&
      typeof stored.state === 'object' &&
      (stored.state as { schema?: unknown }).schema === STATE_SCHEMA_VERSION;
    // A snapshot of another schema version is replaced by replaying the whole ledger.
    if (!stored || !current) return { state: emptyState(), sequence: 0, sinceSnapshot: 0 };
    return { state: restoreState(stored.state), sequence: stored.sequence, sinceSnapshot: 0 };
  };

  return {
    /** Folds the ToE's evidence since its state (and `owedIds`, whatever their sequence) in; their observations. */
    async advance(
      toeId: string,
      owedIds: readonly string[],
      scope: AnomalyScope,
      trx: Transaction<any>,
    ): Promise<{ observations: Observation[]; state: AnomalyState }> {
      const progress = await repository.progress(toeId, trx);
      const cached = cache.get(toeId);
      const entry =
        cached && progress && cached.sequence === progress.observedSequence ? cached : await load(toeId, trx);
      // Out of the cache while it changes: a rolled-back transaction must not leave a state ahead of the database.
      cache.delete(toeId);
      const evidence = await repository.evidenceSince(toeId, entry.sequence, owedIds, trx);
      if (evidence.length === 0 && progress) {
        remember(toeId, entry);
        return { observations: [], state: entry.state };
      }
      const observations: Observation[] = [];
      for (const item of evidence) {
        observations.push(...observeEvidence(entry.state, item.evidence, scope));
        entry.sequence = Math.max(entry.sequence, item.sequence);
        entry.sinceSnapshot += 1;
      }
      const snapshot = !progress || entry.sinceSnapshot >= options.snapshotEvery;
      await repository.saveProgress(toeId, entry.sequence, snapshot ? JSON.stringify(entry.state) : undefined, trx);
      if (snapshot) entry.sinceSnapshot = 0;
      remember(toeId, entry);
      return { observations, state: entry.state };
    },

    /** Forgets every cached state (a restart, in tests). */
    clear: () => cache.clear(),
  };
}

export type AnomalyStates = ReturnType<typeof createAnomalyStates>;
