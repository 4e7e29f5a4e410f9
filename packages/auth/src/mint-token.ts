import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TYP } from './constants.ts';
import type { Role } from './principal.ts';

export interface MintTokenOptions {
  issuer: string;
  audience: string;
  subject: string;
  org: string;
  role: Role;
  ttlSeconds: number;
  key: { kid: string; privateKey: KeyObject };
}

/** A bearer token from the local issuer (`cabc token`); production deployments use their OIDC issuer instead. */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: options.org, role: options.role })
    .setProtectedHeader({ alg: 'EdDSA', kid: options.key.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .sign(options.key.privateKey);
}
