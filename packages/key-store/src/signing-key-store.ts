import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import {
  announceKey,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  isLegacySealed,
  KeyDecryptionError,
  signingKeyFrom,
  type PublicJwk,
  type SigningKey,
} from '@cabc/crypto';
import { verifyKeyChain, type KeyRow, type RefusedKey, type VerifiedKeys } from './key-chain.ts';

export type KeyStatus = 'next' | 'active' | 'retired';

export interface KeyStoreDatabase {
  signing_keys: {
    kid: string;
    public_jwk: PublicJwk;
    sealed_private_key: string;
    status: KeyStatus;
    created_at: Generated<Date>;
    retired_at: Date | null;
    /** The rotation announcement signed by the previous key (null for the first key only). */
    announcement: string | null;
  };
}

/** A key's public record, as listed to operators. */
export interface KeyInfo {
  kid: string;
  status: KeyStatus;
  createdAt: string;
  retiredAt: string | null;
  jwk: PublicJwk;
}

export interface KeyStoreOptions {
  /** Seals the private keys at rest (KEY_ENCRYPTION_SECRET). */
  secret: string;
  service: string;
  /** How long the active key id is trusted before the database is asked again (another process may rotate). */
  refreshMs?: number;
  /** Hears each key row that is refused (not created by the rotation procedure, or not opening), once per process. */
  onRefused?: (refused: RefusedKey) => void;
}

const lock = (trx: Transaction<KeyStoreDatabase>) =>
  sql`select pg_advisory_xact_lock(hashtext('cabc:signing_keys'))`.execute(trx);

const infoOf = (row: KeyRow): KeyInfo => ({
  kid: row.kid,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  retiredAt: row.retired_at?.toISOString() ?? null,
  jwk: row.public_jwk,
});

/**
 * The service's own Ed25519 signing keys, kept in its database with the private part sealed (bound to its key id).
 * The first key is made on first use; every later one only by {@link rotate} / {@link prepareNext}, which sign an
 * announcement of the new key with the current one. Only keys that open under the service's secret and chain back to
 * the first key through announcements are used or published: a row written behind the service's back is refused and
 * reported. A "next" key is published (announced) before it signs; retired keys stay published so that signatures
 * made before a rotation still verify. See docs/keys.md.
 */
export class SigningKeyStore {
  readonly #db: Kysely<KeyStoreDatabase>;
  readonly #secret: string;
  readonly #service: string;
  readonly #refreshMs: number;
  readonly #onRefused: ((refused: RefusedKey) => void) | undefined;
  readonly #reported = new Set<string>();
  #ready: Promise<void> | undefined;
  #active: SigningKey | undefined;
  #checkedAt = 0;
  #verified: { fingerprint: string; keys: VerifiedKeys } | undefined;

  constructor(db: Kysely<any>, options: KeyStoreOptions) {
    this.#db = db as Kysely<KeyStoreDatabase>;
    this.#secret = options.secret;
    this.#service = options.service;
    this.#refreshMs = options.refreshMs ?? 5_000;
    this.#onRefused = options.onRefused;
  }

  get service(): string {
    return this.#service;
  }

  /** The first key when there is none; old-format rows re-sealed and announced (once, under the lock). */
  async #prepare(): Promise<void> {
    this.#ready ??= this.#db
      .transaction()
      .execute(async (trx) => {
        await lock(trx);
        const rows = (await trx
          .selectFrom('signing_keys')
          .selectAll()
          .orderBy('created_at')
          .orderBy('kid')
          .execute()) as KeyRow[];
        if (rows.length === 0) {
          await this.#insert(trx, await generateSigningKey(), 'active', null);
          return;
        }
        await this.#migrateLegacy(trx, rows);
      })
      .catch((error: unknown) => {
        this.#ready = undefined;
        throw error;
      });
    return this.#ready;
  }

  /**
   * Rows sealed in the old format (before keys were sealed with scrypt and announced) are re-sealed, and each one
   * after the first gets an announcement by the key before it. Only rows that open under the secret are touched; a
   * new-format row is never announced here (only the rotation procedure writes those).
   */
  async #migrateLegacy(trx: Transaction<KeyStoreDatabase>, rows: KeyRow[]): Promise<void> {
    let previous: SigningKey | undefined;
    for (const row of rows) {
      let key: SigningKey | undefined;
      try {
        key = await signingKeyFrom(decryptPrivateKey(row.sealed_private_key, this.#secret, this.#service, row.kid));
        if (key.kid !== row.kid || key.publicJwk.x !== row.public_jwk.x) key = undefined;
      } catch {
        key = undefined;
      }
      if (!key) continue;
      if (isLegacySealed(row.sealed_private_key)) {
        const announcement = row.announcement ?? (previous ? await announceKey(key, previous, this.#service) : null);
        await trx
          .updateTable('signing_keys')
          .set({
            sealed_private_key: encryptPrivateKey(key.privateKey, this.#secret, this.#service, key.kid),
            announcement,
          })
          .where('kid', '=', row.kid)
          .execute();
      }
      previous = key;
    }
  }

  async #insert(
    trx: Transaction<KeyStoreDatabase>,
    key: SigningKey,
    status: KeyStatus,
    announcement: string | null,
  ): Promise<void> {
    await trx
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        public_jwk: JSON.stringify(key.publicJwk) as unknown as PublicJwk,
        sealed_private_key: encryptPrivateKey(key.privateKey, this.#secret, this.#service, key.kid),
        status,
        retired_at: null,
        announcement,
      })
      .execute();
  }

  /** Every row checked: the keys that are the service's own, and those refused (reported once). */
  async verified(executor: Kysely<KeyStoreDatabase> = this.#db): Promise<VerifiedKeys> {
    await this.#prepare();
    const rows = (await executor
      .selectFrom('signing_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('kid')
      .execute()) as KeyRow[];
    const fingerprint = rows
      .map((row) => `${row.kid}|${row.status}|${row.sealed_private_key}|${row.announcement ?? ''}`)
      .join('\n');
    if (this.#verified?.fingerprint === fingerprint) return this.#verified.keys;
    const keys = await verifyKeyChain(rows, { secret: this.#secret, service: this.#service });
    for (const refused of keys.refused) {
      if (this.#reported.has(refused.kid)) continue;
      this.#reported.add(refused.kid);
      this.#onRefused?.(refused);
    }
    this.#verified = { fingerprint, keys };
    return keys;
  }

  /** The key that signs now. Re-read from the database every `refreshMs` (a rotation elsewhere is picked up). */
  async active(): Promise<SigningKey> {
    if (this.#active && Date.now() - this.#checkedAt < this.#refreshMs) return this.#active;
    await this.#prepare();
    const row = await this.#db
      .selectFrom('signing_keys')
      .select('kid')
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (this.#active && row?.kid === this.#active.kid) {
      this.#checkedAt = Date.now();
      return this.#active;
    }
    const { keys, refused } = await this.verified();
    const active = keys.find((key) => key.row.status === 'active');
    if (!active && keys.length === 0 && refused.length > 0 && refused.every((key) => key.unopened)) {
      // Not a planted key: every stored key was sealed under another secret (e.g. another checkout's data).
      throw new KeyDecryptionError(
        `${this.#service}: no stored signing key opens under this KEY_ENCRYPTION_SECRET (sealed under another one)`,
      );
    }
    if (!active) {
      throw new Error(
        `${this.#service}: no active signing key that the service created itself (see the refused keys in the log; docs/keys.md)`,
      );
    }
    this.#active = active.key;
    this.#checkedAt = Date.now();
    return active.key;
  }

  /** The published key set: the service's own keys (next, active, retired) and the announcements chaining them. */
  async jwks(): Promise<{ keys: PublicJwk[]; announcements: string[] }> {
    const { keys } = await this.verified();
    const newestFirst = [...keys].reverse();
    return {
      keys: newestFirst.map((key) => key.row.public_jwk),
      announcements: newestFirst.flatMap((key) => (key.row.announcement ? [key.row.announcement] : [])),
    };
  }

  /** The service's own keys, newest first, and the rows refused. */
  async list(): Promise<{ keys: KeyInfo[]; refused: RefusedKey[] }> {
    const { keys, refused } = await this.verified();
    return { keys: [...keys].reverse().map((key) => infoOf(key.row)), refused };
  }

  /** The key the next rotation will activate, made and announced (published, not signing) on first call. */
  async prepareNext(): Promise<{ key: KeyInfo; created: boolean }> {
    await this.#prepare();
    const created = await this.#db.transaction().execute(async (trx) => {
      await lock(trx);
      const { keys } = await this.verified(trx);
      if (keys.some((key) => key.row.status === 'next')) return false;
      const active = keys.find((key) => key.row.status === 'active');
      if (!active) throw new Error(`${this.#service}: no active signing key to announce the next one`);
      const next = await generateSigningKey();
      await this.#insert(trx, next, 'next', await announceKey(next, active.key, this.#service));
      return true;
    });
    const next = (await this.list()).keys.find((key) => key.status === 'next')!;
    return { key: next, created };
  }

  /**
   * Retires the active key and activates the prepared next key, or (without one) a new key announced now. The old
   * key stays published, so what it signed keeps verifying.
   */
  async rotate(): Promise<{ active: KeyInfo; retired: KeyInfo; promoted: boolean }> {
    await this.#prepare();
    const outcome = await this.#db.transaction().execute(async (trx) => {
      await lock(trx);
      const { keys } = await this.verified(trx);
      const active = keys.find((key) => key.row.status === 'active');
      if (!active) throw new Error(`${this.#service}: no active signing key to rotate from`);
      const next = keys.find((key) => key.row.status === 'next');
      await trx
        .updateTable('signing_keys')
        .set({ status: 'retired', retired_at: new Date() })
        .where('kid', '=', active.key.kid)
        .execute();
      if (next) {
        await trx.updateTable('signing_keys').set({ status: 'active' }).where('kid', '=', next.key.kid).execute();
        return { activeKid: next.key.kid, retiredKid: active.key.kid, promoted: true };
      }
      const fresh = await generateSigningKey();
      await this.#insert(trx, fresh, 'active', await announceKey(fresh, active.key, this.#service));
      return { activeKid: fresh.kid, retiredKid: active.key.kid, promoted: false };
    });
    this.#active = undefined;
    await this.active();
    const { keys } = await this.list();
    return {
      active: keys.find((key) => key.kid === outcome.activeKid)!,
      retired: keys.find((key) => key.kid === outcome.retiredKid)!,
      promoted: outcome.promoted,
    };
  }

  /**
   * One step of scheduled rotation: a next key is prepared once the active one is `intervalMs` old, and activated
   * once it has been published for `overlapMs`. Returns what it did.
   */
  async rotateIfDue(options: {
    intervalMs: number;
    overlapMs: number;
    now?: Date;
  }): Promise<'prepared' | 'rotated' | 'none'> {
    const now = (options.now ?? new Date()).getTime();
    const { keys } = await this.verified();
    const next = keys.find((key) => key.row.status === 'next');
    if (next) {
      if (now - next.row.created_at.getTime() < options.overlapMs) return 'none';
      await this.rotate();
      return 'rotated';
    }
    const active = keys.find((key) => key.row.status === 'active');
    if (!active || now - active.row.created_at.getTime() < options.intervalMs) return 'none';
    await this.prepareNext();
    return 'prepared';
  }

  /**
   * Re-seals every key of the service under `newSecret` (rotation of the sealing secret): after it commits, the
   * service must run with the new secret. Refused rows are left as they are. Returns how many keys were re-sealed.
   */
  async reseal(newSecret: string): Promise<number> {
    await this.#prepare();
    return this.#db.transaction().execute(async (trx) => {
      await lock(trx);
      const { keys } = await this.verified(trx);
      for (const { key } of keys) {
        await trx
          .updateTable('signing_keys')
          .set({ sealed_private_key: encryptPrivateKey(key.privateKey, newSecret, this.#service, key.kid) })
          .where('kid', '=', key.kid)
          .execute();
      }
      return keys.length;
    });
  }
}
