import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { decodeBase64Any } from './base64.ts';

/** DSSE v1 pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

export interface DsseSigner {
  keyid: string;
  privateKey: KeyObject;
}

export interface DsseEnvelopeShape {
  payload: string;
  payloadType: string;
  signatures: { keyid?: string | undefined; sig: string }[];
}

export function signDsse(payload: Uint8Array, payloadType: string, signers: DsseSigner[]): DsseEnvelopeShape {
  const message = pae(payloadType, payload);
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: signers.map((signer) => ({
      keyid: signer.keyid,
      sig: edSign(null, message, signer.privateKey).toString('base64'),
    })),
  };
}

export class DsseVerificationError extends Error {
  readonly reason: 'unsupported_payload_type' | 'malformed' | 'unknown_key' | 'bad_signature' | 'threshold_not_met';
  constructor(reason: DsseVerificationError['reason'], message: string) {
    super(message);
    this.name = 'DsseVerificationError';
    this.reason = reason;
  }
}

export interface DsseVerified {
  payload: Buffer;
  payloadType: string;
  /** Ids of the distinct trusted keys whose signature verified. */
  keyids: string[];
}

/**
 * Verifies the exact payload bytes carried by the envelope against trusted Ed25519 keys. A signature with a keyid
 * is checked against that key only; one without a keyid against every trusted key. The threshold counts distinct
 * keys, so one key signing twice counts once.
 */
export function verifyDsse(
  envelope: DsseEnvelopeShape,
  trustedKeys: ReadonlyMap<string, KeyObject>,
  options: { supportedPayloadTypes: readonly string[]; threshold?: number },
): DsseVerified {
  const threshold = options.threshold ?? 1;
  if (!envelope.payloadType || !options.supportedPayloadTypes.includes(envelope.payloadType)) {
    throw new DsseVerificationError(
      'unsupported_payload_type',
      `payloadType "${envelope.payloadType}" is not one of ${options.supportedPayloadTypes.join(', ')}`,
    );
  }
  const payload = decodeBase64Any(envelope.payload);
  if (!payload) throw new DsseVerificationError('malformed', 'payload is not base64');
  const message = pae(envelope.payloadType, payload);

  const verifiedKeys = new Set<string>();
  let sawKnownKey = false;
  for (const signature of envelope.signatures) {
    const sig = decodeBase64Any(signature.sig);
    if (!sig) throw new DsseVerificationError('malformed', 'a signature is not base64');
    const candidates = signature.keyid
      ? trustedKeys.has(signature.keyid)
        ? [[signature.keyid, trustedKeys.get(signature.keyid)!] as const]
        : []
      : [...trustedKeys.entries()];
    if (candidates.length > 0) sawKnownKey = true;
    for (const [keyid, key] of candidates) {
      if (!verifiedKeys.has(keyid) && sig.length === 64 && edVerify(null, message, key, sig)) {
        verifiedKeys.add(keyid);
        break;
      }
    }
  }
  if (verifiedKeys.size >= threshold) return { payload, payloadType: envelope.payloadType, keyids: [...verifiedKeys] };
  if (!sawKnownKey) {
    const ids = envelope.signatures.map((signature) => signature.keyid ?? '(none)').join(', ');
    throw new DsseVerificationError('unknown_key', `no signature is by a trusted key (keyids: ${ids})`);
  }
  if (verifiedKeys.size === 0) throw new DsseVerificationError('bad_signature', 'no signature verifies');
  throw new DsseVerificationError(
    'threshold_not_met',
    `${verifiedKeys.size} distinct trusted key(s) verified, ${threshold} required`,
  );
}
