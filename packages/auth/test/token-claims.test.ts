import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { createTokenVerifier, type TrustedIssuer } from '../src/index.ts';

/** An access token as an identity provider shapes it: organization and roles under its own claim names. */
async function providerToken(key: Awaited<ReturnType<typeof generateSigningKey>>, claims: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
    .setIssuer('https://idp.example')
    .setAudience('cabc-assessment')
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(key.privateKey);
}

describe('organization and role from configurable claims (a trusted issuer’s `claims`)', () => {
  it('reads a URL-named claim and the first CABC role of a nested list; the default names refuse that token', async () => {
    const key = await generateSigningKey();
    const jwk = { ...key.publicJwk, kid: key.kid };
    const issuer: TrustedIssuer = {
      issuer: 'https://idp.example',
      jwks: { keys: [jwk] },
      orgs: ['*'],
      roles: ['auditor', 'auditee'],
    };
    const verifier = (trusted: TrustedIssuer) =>
      createTokenVerifier({ audience: 'cabc-assessment', issuers: [trusted], maxLifetimeSeconds: 3600 });
    const token = await providerToken(key, {
      'https://idp.example/org': 'acme',
      realm_access: { roles: ['offline_access', 'auditor', 'admin'] },
    });
    const mapped = verifier({ ...issuer, claims: { org: 'https://idp.example/org', role: 'realm_access.roles' } });
    expect(await mapped(token)).toMatchObject({ subject: 'alice', org: 'acme', role: 'auditor' });

    await expect(verifier(issuer)(token)).rejects.toThrow(/org: .*role: /);

    // A list without any CABC role gives no role: refused, never a default.
    const noRole = await providerToken(key, { 'https://idp.example/org': 'acme', realm_access: { roles: ['user'] } });
    await expect(mapped(noRole)).rejects.toThrow(/role/);
  });
});
