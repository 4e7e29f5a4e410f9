import { sql, type Kysely } from 'kysely';
import { SigningKeyStore, type KeyStoreDatabase } from '@cabc/key-store';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  signingKeyFrom,
  type PublicJwk,
  type SigningKey,
} from '@cabc/crypto';

const SERVICE = 'evidence-collector';

interface KeysDatabase {
  signing_keys: Omit<KeyStoreDatabase['signing_keys'], 'status'> & { status: 'active' | 'retired' | 'next' };
}

export interface KeyInfo {
  kid: string;
  status: 'active' | 'retired' | 'next';
  createdAt: string;
  retiredAt: string | null;
  jwk: PublicJwk;
}

/**
 * The collector's signing keys on top of {@link SigningKeyStore}: the key that signs now (re-read when another replica
 * rotated), a "next" key published ahead of a rotation so the auditor can approve it in the scope before evidence
 * signed with it arrives, and the rotation itself.
 */
export function createCollectorKeys(deps: {
  db: Kysely<any>;
  store: SigningKeyStore;
  /** Encrypts new keys at rest; the store's secret. */
  secret: string;
  /** How long the active key id is trusted before the database is asked again (replicas rotate each other's key). */
  refreshMs?: number;
}) {
  const db = deps.db as Kysely<KeysDatabase>;
  const refreshMs = deps.refreshMs ?? 5_000;
  let store = deps.store;
  let checkedAt = Date.now();

  const lock = (trx: Kysely<KeysDatabase>) =>
    sql`select pg_advisory_xact_lock(hashtext('cabc:signing_keys'))`.execute(trx);

  async function activeKey(): Promise<SigningKey> {
    const key = await store.active();
    if (Date.now() - checkedAt < refreshMs) return key;
    checkedAt = Date.now();
    const row = await db.selectFrom('signing_keys').select('kid').where('status', '=', 'active').executeTakeFirst();
    if (row && row.kid !== key.kid) {
      store = new SigningKeyStore(deps.db, { secret: deps.secret, service: SERVICE });
      return store.active();
    }
    return key;
  }

  async function list(): Promise<KeyInfo[]> {
    await store.active();
    const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map((row) => ({
      kid: row.kid,
      status: row.status,
      createdAt: row.created_at.toISOString(),
      retiredAt: row.retired_at?.toISOString() ?? null,
      jwk: row.public_jwk,
    }));
  }

  /** Every key the collector holds (active, next, retired), to prove to the assessment which keys are its own. */
  async function signingKeys(): Promise<SigningKey[]> {
    await store.active();
    const rows = await db.selectFrom('signing_keys').select('sealed_private_key').execute();
    return Promise.all(
      rows.map((row) => signingKeyFrom(decryptPrivateKey(row.sealed_private_key, deps.secret, SERVICE))),
    );
  }

  return {
    activeKey,
    list,
    signingKeys,
    jwks: () => store.jwks(),

    /** The key the next rotation will activate, generated (and published in the JWKS) on first call. */
    async prepareNext(): Promise<{ key: KeyInfo; created: boolean }> {
      const created = await db.transaction().execute(async (trx) => {
        await lock(trx);
        const existing = await trx
          .selectFrom('signing_keys')
          .select('kid')
          .where('status', '=', 'next')
          .executeTakeFirst();
        if (existing) return false;
        const key = await generateSigningKey();
        await trx
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            public_jwk: JSON.stringify(key.publicJwk) as never,
            sealed_private_key: encryptPrivateKey(key.privateKey, deps.secret, SERVICE),
            status: 'next',
            retired_at: null,
          })
          .execute();
        return true;
      });
      const next = (await list()).find((key) => key.status === 'next')!;
      return { key: next, created };
    },

    /**
     * Retires the active key and activates the prepared next key (or, without one, a new key: an emergency rotation
     * whose evidence the assessment refuses until the auditor approves the key). Old signatures keep verifying.
     */
    async rotate(): Promise<{ active: KeyInfo; retired: KeyInfo; promoted: boolean }> {
      await store.active();
      const previous = await db
        .selectFrom('signing_keys')
        .select('kid')
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      let promoted = false;
      await db.transaction().execute(async (trx) => {
        await lock(trx);
        const next = await trx.selectFrom('signing_keys').select('kid').where('status', '=', 'next').executeTakeFirst();
        if (!next) return;
        await trx
          .updateTable('signing_keys')
          .set({ status: 'retired', retired_at: new Date() })
          .where('status', '=', 'active')
          .execute();
        await trx.updateTable('signing_keys').set({ status: 'active' }).where('kid', '=', next.kid).execute();
        promoted = true;
      });
      if (promoted) {
        store = new SigningKeyStore(deps.db, { secret: deps.secret, service: SERVICE });
        await store.active();
      } else {
        await store.rotate();
      }
      checkedAt = Date.now();
      const keys = await list();
      return {
        active: keys.find((key) => key.status === 'active')!,
        retired: keys.find((key) => key.kid === previous.kid)!,
        promoted,
      };
    },
  };
}

export type CollectorKeys = ReturnType<typeof createCollectorKeys>;
