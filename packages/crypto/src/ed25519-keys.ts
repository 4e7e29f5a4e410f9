import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk;
}

export function publicJwkOf(publicKey: KeyObject): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

/** RFC 7638 thumbprint (base64url SHA-256), our key id everywhere. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
}

export async function signingKeyFrom(privateKey: KeyObject): Promise<SigningKey> {
  const publicKey = createPublicKey(privateKey);
  const bare = publicJwkOf(publicKey);
  const kid = await jwkThumbprint(bare);
  return { kid, privateKey, publicKey, publicJwk: { ...bare, kid, alg: 'EdDSA', use: 'sig' } };
}

export async function generateSigningKey(): Promise<SigningKey> {
  return signingKeyFrom(generateKeyPairSync('ed25519').privateKey);
}

/** Imports an Ed25519 public JWK; throws a plain message naming what is wrong with it. */
export function publicKeyFromJwk(jwk: unknown): KeyObject {
  const candidate = jwk as Partial<PublicJwk> | null;
  if (!candidate || candidate.kty !== 'OKP' || candidate.crv !== 'Ed25519' || typeof candidate.x !== 'string') {
    throw new Error('expected an Ed25519 public JWK (kty "OKP", crv "Ed25519", x)');
  }
  if ('d' in (candidate as object)) throw new Error('the JWK holds a private key; send the public part only');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: candidate.x }, format: 'jwk' });
}
