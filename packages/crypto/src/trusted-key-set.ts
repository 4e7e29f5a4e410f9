import type { KeyObject } from 'node:crypto';
import { publicKeyFromJwk } from './ed25519-keys.ts';

interface JwkWithKid {
  kid?: string;
  [key: string]: unknown;
}

/**
 * Public keys another party publishes, by key id: given inline or fetched from its JWKS URL. An unknown key id
 * triggers one refetch (at most every `cooldownMs`), so a sender's key rotation is picked up without a restart.
 */
export class TrustedKeySet {
  readonly #source: { jwks: { keys: JwkWithKid[] } } | { jwksUrl: string };
  readonly #cooldownMs: number;
  #keys: Map<string, KeyObject> | undefined;
  #fetchedAt = 0;

  constructor(source: { jwks: { keys: JwkWithKid[] } } | { jwksUrl: string }, options: { cooldownMs?: number } = {}) {
    this.#source = source;
    this.#cooldownMs = options.cooldownMs ?? 5_000;
  }

  /** When the keys were last fetched (0: never), so a caller can tell a fresh "unknown key" from a stale copy. */
  get fetchedAt(): number {
    return this.#fetchedAt;
  }

  /** Fetches the key set now, whatever the cooldown (for a caller that must not conclude from a stale copy). */
  async refresh(): Promise<ReadonlyMap<string, KeyObject>> {
    this.#keys = await this.#load();
    this.#fetchedAt = Date.now();
    return this.#keys;
  }

  async keys(options: { mustInclude?: string[] } = {}): Promise<ReadonlyMap<string, KeyObject>> {
    const missing = () => (options.mustInclude ?? []).some((kid) => !this.#keys?.has(kid));
    if (!this.#keys || (missing() && Date.now() - this.#fetchedAt >= this.#cooldownMs)) {
      this.#keys = await this.#load();
      this.#fetchedAt = Date.now();
    }
    return this.#keys;
  }

  async #load(): Promise<Map<string, KeyObject>> {
    let jwks: { keys: JwkWithKid[] };
    if ('jwks' in this.#source) {
      jwks = this.#source.jwks;
    } else {
      const response = await fetch(this.#source.jwksUrl, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`JWKS ${this.#source.jwksUrl} answered HTTP ${response.status}`);
      jwks = (await response.json()) as { keys: JwkWithKid[] };
    }
    const keys = new Map<string, KeyObject>();
    for (const jwk of jwks.keys ?? []) {
      if (typeof jwk.kid === 'string') keys.set(jwk.kid, publicKeyFromJwk(jwk));
    }
    return keys;
  }
}
