import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { tokenVerifierFromEnv } from '../src/index.ts';

/** An access token as an identity provider shapes it: organization and roles under its own claim names. */
async function providerToken(key: Awaited<ReturnType<typeof generateSigningKey>>, claims: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
    .setIssuer('https://idp.example')
    .setAudience('urn:cabc:services')
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(key.privateKey);
}

describe('organization and role from configurable claims (AUTH_ORG_CLAIM, AUTH_ROLE_CLAIM)', () => {
  it('reads a URL-named claim and the first CABC role of a nested list; the default names refuse that token', async () => {
    const key = await generateSigningKey();
    const env = {
      AUTH_ISSUER: 'https://idp.example',
      AUTH_AUDIENCE: 'urn:cabc:services',
      AUTH_JWKS: { keys: [{ ...key.publicJwk, kid: key.kid }] },
    };
    const token = await providerToken(key, {
      'https://idp.example/org': 'acme',
      realm_access: { roles: ['offline_access', 'auditor', 'admin'] },
    });
    const mapped = tokenVerifierFromEnv({
      ...env,
      AUTH_ORG_CLAIM: 'https://idp.example/org',
      AUTH_ROLE_CLAIM: 'realm_access.roles',
    });
    expect(await mapped(token)).toMatchObject({ subject: 'alice', org: 'acme', role: 'auditor' });

    const plain = tokenVerifierFromEnv({ ...env, AUTH_ORG_CLAIM: 'org', AUTH_ROLE_CLAIM: 'role' });
    await expect(plain(token)).rejects.toThrow(/org: .*role: /);

    // A list without any CABC role gives no role: refused, never a default.
    const noRole = await providerToken(key, { 'https://idp.example/org': 'acme', realm_access: { roles: ['user'] } });
    await expect(mapped(noRole)).rejects.toThrow(/role/);
  });
});
