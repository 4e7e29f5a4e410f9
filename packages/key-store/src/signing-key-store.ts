import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  signingKeyFrom,
  type PublicJwk,
  type SigningKey,
} from '@cabc/crypto';

export interface KeyStoreDatabase {
  signing_keys: {
    kid: string;
    public_jwk: PublicJwk;
    sealed_private_key: string;
    status: 'active' | 'retired';
    created_at: Generated<Date>;
    retired_at: Date | null;
  };
}

/**
 * The service's own Ed25519 signing keys, kept in its database with the private part encrypted. One key is active;
 * retired keys stay published so that signatures made before a rotation still verify.
 */
export class SigningKeyStore {
  readonly #db: Kysely<KeyStoreDatabase>;
  readonly #secret: string;
  readonly #context: string;
  #active: SigningKey | undefined;

  constructor(db: Kysely<any>, options: { secret: string; service: string }) {
    this.#db = db as Kysely<KeyStoreDatabase>;
    this.#secret = options.secret;
    this.#context = options.service;
  }

  /** The active key; generated and stored on first use. Concurrent replicas agree through an advisory lock. */
  async active(): Promise<SigningKey> {
    if (this.#active) return this.#active;
    this.#active = await this.#db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('cabc:signing_keys'))`.execute(trx);
      const row = await trx.selectFrom('signing_keys').selectAll().where('status', '=', 'active').executeTakeFirst();
      if (row) return signingKeyFrom(decryptPrivateKey(row.sealed_private_key, this.#secret, this.#context));
      const key = await generateSigningKey();
      await this.#insertActive(trx, key);
      return key;
    });
    return this.#active;
  }

  /** Retires the active key and makes a new one active; returns the new key. */
  async rotate(): Promise<SigningKey> {
    const key = await generateSigningKey();
    await this.#db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('cabc:signing_keys'))`.execute(trx);
      await trx
        .updateTable('signing_keys')
        .set({ status: 'retired', retired_at: new Date() })
        .where('status', '=', 'active')
        .execute();
      await this.#insertActive(trx, key);
    });
    this.#active = key;
    return key;
  }

  async #insertActive(trx: Transaction<KeyStoreDatabase>, key: SigningKey): Promise<void> {
    await trx
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        public_jwk: JSON.stringify(key.publicJwk) as never,
        sealed_private_key: encryptPrivateKey(key.privateKey, this.#secret, this.#context),
        status: 'active',
      })
      .execute();
  }

  async jwks(): Promise<{ keys: PublicJwk[] }> {
    await this.active();
    const rows = await this.#db.selectFrom('signing_keys').select('public_jwk').orderBy('created_at', 'desc').execute();
    return { keys: rows.map((row) => row.public_jwk) };
  }
}
