import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey, signingKeyFrom, type SigningKey } from '@cabc/crypto';

/**
 * The local token issuer for development and tests: an Ed25519 key in a file (mode 600). The platform runner trusts
 * its public key; `cabc token` signs with it. Deployments configure each party's OIDC issuer instead (AUTH_ISSUERS).
 */
export async function loadOrCreateLocalIssuer(file: string): Promise<SigningKey> {
  if (existsSync(file)) {
    const { privateJwk } = JSON.parse(readFileSync(file, 'utf8')) as { privateJwk: JsonWebKey };
    return signingKeyFrom(createPrivateKey({ key: privateJwk as never, format: 'jwk' }));
  }
  const key = await generateSigningKey();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ privateJwk: key.privateKey.export({ format: 'jwk' }) }, null, 2), {
    mode: 0o600,
  });
  return key;
}
