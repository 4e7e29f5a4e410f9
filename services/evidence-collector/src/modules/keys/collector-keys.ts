import type { Kysely } from 'kysely';
import { SigningKeyStore, type KeyInfo } from '@cabc/key-store';
import type { SigningKey } from '@cabc/crypto';

export type { KeyInfo };

/**
 * The collector's signing keys ({@link SigningKeyStore}): the key that signs now (re-read when another replica
 * rotated), a "next" key published (and announced) ahead of a rotation so the auditor can approve it in the scope
 * before evidence signed with it arrives, and the rotation itself.
 */
export function createCollectorKeys(deps: {
  db: Kysely<any>;
  store: SigningKeyStore;
  /** Seals new keys at rest; the store's secret. */
  secret: string;
  /** How long the active key id is trusted before the database is asked again (replicas rotate each other's key). */
  refreshMs?: number | undefined;
}) {
  const store =
    deps.refreshMs === undefined
      ? deps.store
      : new SigningKeyStore(deps.db, { secret: deps.secret, service: deps.store.service, refreshMs: deps.refreshMs });

  return {
    activeKey: (): Promise<SigningKey> => store.active(),
    list: async (): Promise<KeyInfo[]> => (await store.list()).keys,
    /** Every key the collector holds (next, active, retired), to prove to the assessment which keys are its own. */
    signingKeys: async (): Promise<SigningKey[]> => (await store.verified()).keys.map((key) => key.key),
    jwks: () => store.jwks(),
    /** The key the next rotation will activate, generated (published and announced) on first call. */
    prepareNext: () => store.prepareNext(),
    /**
     * Retires the active key and activates the prepared next key (or, without one, a new key: an emergency rotation
     * whose evidence the assessment refuses until the auditor approves the key). Old signatures keep verifying.
     */
    rotate: () => store.rotate(),
  };
}

export type CollectorKeys = ReturnType<typeof createCollectorKeys>;
