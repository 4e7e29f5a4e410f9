import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '@cabc/crypto';
import { UnauthorizedProblem } from '@cabc/http-kit';

/** The `typ` of the token a collector signs with its own key to ask which ToEs trust that key. */
export const COLLECTOR_APPROVALS_TYP = 'cabc-collector-approvals+jwt';
export const COLLECTOR_APPROVALS_AUDIENCE = 'cabc-assessment';

interface TrustedKey {
  publicKey: KeyObject;
  toes: Set<string>;
}

/**
 * Which ToEs each collector key may sign evidence for, by key id: the keys of a ToE's approved scope version, or
 * before the first approval those of the version under review (the rule of POST /v1/evidence, collector-trust.ts).
 * Read afresh for every question (one query), so that a ToE approved a moment ago is in the answer; the key ids
 * (thumbprints) are remembered.
 */
export function createCollectorApprovals(deps: { db: Kysely<any> }) {
  const thumbprints = new Map<string, string>();

  async function kidOf(jwk: unknown): Promise<string> {
    const text = JSON.stringify(jwk);
    let kid = thumbprints.get(text);
    if (!kid) {
      kid = await jwkThumbprint(jwk as PublicJwk);
      if (thumbprints.size > 10_000) thumbprints.clear();
      thumbprints.set(text, kid);
    }
    return kid;
  }

  async function trustedKeys(): Promise<Map<string, TrustedKey>> {
    const rows = await deps.db
      .selectFrom('scope_versions')
      .select(['toe_id', 'state', 'version', 'document'])
      .where('state', 'in', ['approved', 'submitted', 'changes_requested'])
      .orderBy('toe_id')
      .orderBy('version', 'desc')
      .execute();
    // Per ToE the newest approved version, else the newest under review.
    const chosen = new Map<string, { state: string; document: { collectorKeys?: unknown[] } }>();
    for (const row of rows as { toe_id: string; state: string; document: { collectorKeys?: unknown[] } }[]) {
      const current = chosen.get(row.toe_id);
      if (!current || (current.state !== 'approved' && row.state === 'approved')) chosen.set(row.toe_id, row);
    }
    const keys = new Map<string, TrustedKey>();
    for (const [toe, { document }] of chosen) {
      for (const jwk of document.collectorKeys ?? []) {
        const kid = await kidOf(jwk);
        const entry = keys.get(kid) ?? { publicKey: publicKeyFromJwk(jwk), toes: new Set<string>() };
        entry.toes.add(toe);
        keys.set(kid, entry);
      }
    }
    return keys;
  }

  const refused = () =>
    new UnauthorizedProblem('the tokens are not signed by a collector key that a scope of this assessment lists');

  /** The verified key's ToEs, or undefined for a token that is malformed, expired, or not of a trusted key. */
  async function toesOf(token: string, keys: Map<string, TrustedKey>): Promise<Set<string> | undefined> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return undefined;
    }
    const trusted = kid ? keys.get(kid) : undefined;
    if (!trusted) return undefined;
    try {
      await jwtVerify(token, trusted.publicKey, {
        algorithms: ['EdDSA'],
        typ: COLLECTOR_APPROVALS_TYP,
        audience: COLLECTOR_APPROVALS_AUDIENCE,
        maxTokenAge: '5m',
        requiredClaims: ['iat', 'exp'],
      });
    } catch {
      return undefined;
    }
    return trusted.toes;
  }

  return {
    /**
     * The ToEs that trust the keys which signed `tokens` (one per key the collector holds). A caller none of whose
     * tokens verifies learns nothing but 401, whether the key is unknown or the signature wrong.
     */
    async approvedToes(tokens: readonly string[]): Promise<string[]> {
      const keys = await trustedKeys();
      const toes = new Set<string>();
      let verified = false;
      for (const token of tokens) {
        const found = await toesOf(token, keys);
        if (!found) continue;
        verified = true;
        for (const toe of found) toes.add(toe);
      }
      if (!verified) throw refused();
      return [...toes].sort();
    },
  };
}

export type CollectorApprovals = ReturnType<typeof createCollectorApprovals>;
