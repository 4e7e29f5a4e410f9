import type { KeyObject } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { dsseEnvelopeSchema, IN_TOTO_PAYLOAD_TYPE, RECEIPT_TYP } from '@cabc/contracts';
import {
  DsseVerificationError,
  jwkThumbprint,
  publicKeyFromJwk,
  sha256Hex,
  verifyDsse,
  type PublicJwk,
} from '@cabc/crypto';
import type { EvidenceRow, ReportingRepository } from './reporting.repository.ts';

export type VerificationState = 'verified' | 'key_not_in_scope' | 'failed';

export interface EvidenceVerification {
  /** verified: every check passed and the key is trusted by the scope in force; key_not_in_scope: the signature is good
   * but by a key the scope in force no longer names; failed: a check failed (see the fields). */
  state: VerificationState;
  /** SHA-256 of the stored envelope bytes equals the digest recorded (and signed in the receipt) at receipt. */
  envelopeDigest: 'matches' | 'mismatch';
  /** The DSSE signature over the exact payload bytes, against the collector keys the ToE's scopes have named. */
  signature: 'valid' | 'invalid' | 'unknown_key';
  keyid: string;
  /** The key is named by the scope version in force (approved). */
  keyInScope: boolean;
  /** The receipt JWS verifies against this service's keys and names this evidence and digest. */
  receipt: 'valid' | 'invalid';
  detail: string | null;
}

/**
 * Checks stored evidence again, now: envelope digest, DSSE signature (against every collector key any submitted or
 * approved scope version of the ToE named) and the signed receipt. Results are cached by envelope digest and key set.
 */
export function createEvidenceVerifier(deps: { repository: ReportingRepository; jwks: () => Promise<JSONWebKeySet> }) {
  const cache = new Map<string, EvidenceVerification>();
  const keyCache = new Map<
    string,
    { at: number; all: Map<string, KeyObject>; inForce: Set<string>; fingerprint: string }
  >();

  async function keysOf(toe: string) {
    const cached = keyCache.get(toe);
    if (cached && Date.now() - cached.at < 5_000) return cached;
    const versions = await deps.repository.scopeCollectorKeys(toe);
    const all = new Map<string, KeyObject>();
    const inForce = new Set<string>();
    for (const version of versions) {
      for (const jwk of version.keys) {
        try {
          const kid = await jwkThumbprint(jwk as PublicJwk);
          all.set(kid, publicKeyFromJwk(jwk as PublicJwk));
          if (version.state === 'approved') inForce.add(kid);
        } catch {
          // A key the scope validation let through but that cannot be used: it verifies nothing.
        }
      }
    }
    const entry = {
      at: Date.now(),
      all,
      inForce,
      fingerprint: [...all.keys()].sort().join(',') + '|' + [...inForce].sort().join(','),
    };
    if (keyCache.size > 1_000) keyCache.clear();
    keyCache.set(toe, entry);
    return entry;
  }

  async function receiptValid(evidence: EvidenceRow): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(evidence.receipt, createLocalJWKSet(await deps.jwks()), {
        algorithms: ['EdDSA'],
        typ: RECEIPT_TYP,
      });
      return payload.sub === evidence.id && payload.envelopeSha256 === evidence.envelopeSha256;
    } catch {
      return false;
    }
  }

  return {
    async verify(evidence: EvidenceRow): Promise<EvidenceVerification> {
      const keys = await keysOf(evidence.toe);
      const cacheKey = `${evidence.envelopeSha256}|${keys.fingerprint}`;
      const cached = cache.get(cacheKey);
      if (cached) return cached;

      const envelopeDigest = sha256Hex(evidence.envelope) === evidence.envelopeSha256 ? 'matches' : 'mismatch';
      let signature: EvidenceVerification['signature'] = 'invalid';
      let detail: string | null = null;
      try {
        const parsed = dsseEnvelopeSchema.parse(JSON.parse(evidence.envelope));
        verifyDsse(parsed, keys.all, { supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE] });
        signature = 'valid';
      } catch (error) {
        signature =
          error instanceof DsseVerificationError && error.reason === 'unknown_key' ? 'unknown_key' : 'invalid';
        detail = error instanceof Error ? error.message : String(error);
      }
      const receipt = (await receiptValid(evidence)) ? 'valid' : 'invalid';
      const keyInScope = keys.inForce.has(evidence.keyid);
      if (envelopeDigest === 'mismatch') detail = 'the stored envelope does not hash to the digest recorded at receipt';
      else if (receipt === 'invalid') detail ??= 'the receipt does not verify against this service’s keys';
      const state: VerificationState =
        envelopeDigest === 'matches' && signature === 'valid' && receipt === 'valid'
          ? keyInScope
            ? 'verified'
            : 'key_not_in_scope'
          : 'failed';
      if (state === 'key_not_in_scope')
        detail = `signed by ${evidence.keyid}, a key the scope in force does not name (rotated or removed)`;
      const result: EvidenceVerification = {
        state,
        envelopeDigest,
        signature,
        keyid: evidence.keyid,
        keyInScope,
        receipt,
        detail,
      };
      if (cache.size > 20_000) cache.clear();
      cache.set(cacheKey, result);
      return result;
    },
  };
}

export type EvidenceVerifier = ReturnType<typeof createEvidenceVerifier>;
