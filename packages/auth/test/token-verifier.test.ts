import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { HttpProblem } from '@cabc/http-kit';
import { createTokenVerifier, mintToken, type Role, type TrustedIssuer } from '../src/index.ts';

/** What a verification ends in: the principal's role, or the problem's status and message. */
async function outcome(verify: (token: string) => Promise<{ role: Role }>, token: string) {
  try {
    return { status: 200, detail: (await verify(token)).role };
  } catch (error) {
    if (error instanceof HttpProblem) return { status: error.status, detail: error.message };
    throw error;
  }
}

describe('bearer tokens: audience per service, issuers per party, maximum lifetime', () => {
  let auditee: SigningKey;
  let auditor: SigningKey;
  let issuers: TrustedIssuer[];
  beforeAll(async () => {
    auditee = await generateSigningKey();
    auditor = await generateSigningKey();
    issuers = [
      {
        issuer: 'acme-idp',
        party: 'auditee',
        jwks: { keys: [auditee.publicJwk] },
        orgs: ['acme'],
        roles: ['auditee', 'admin'],
      },
      { issuer: 'auditor-idp', party: 'auditor', jwks: { keys: [auditor.publicJwk] }, orgs: ['*'], roles: ['auditor'] },
    ];
  });
  const verifier = () => createTokenVerifier({ audience: 'cabc-assessment', issuers, maxLifetimeSeconds: 3600 });
  const token = (
    key: SigningKey,
    claims: { issuer: string; audience?: string; role: Role; org?: string; ttlSeconds?: number },
  ) =>
    mintToken({
      issuer: claims.issuer,
      audience: claims.audience ?? 'cabc-assessment',
      subject: 'someone',
      org: claims.org ?? 'acme',
      role: claims.role,
      ttlSeconds: claims.ttlSeconds ?? 600,
      key,
    });

  it('accepts a token of its audience from an issuer mapped to that organization and role', async () => {
    expect(await outcome(verifier(), await token(auditee, { issuer: 'acme-idp', role: 'auditee' }))).toEqual({
      status: 200,
      detail: 'auditee',
    });
    expect(
      await outcome(verifier(), await token(auditor, { issuer: 'auditor-idp', role: 'auditor', org: 'x' })),
    ).toEqual({ status: 200, detail: 'auditor' });
  });

  it('refuses a token minted for another service (401, naming its own audience)', async () => {
    const forCollector = await token(auditee, { issuer: 'acme-idp', role: 'auditee', audience: 'cabc-collector' });
    expect(await outcome(verifier(), forCollector)).toEqual({
      status: 401,
      detail: expect.stringMatching(/not for this service \(audience cabc-assessment\)/),
    });
  });

  it('refuses a token for several audiences (401): any service it names could replay it at the others', async () => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const forSeveral = (audience: string[]) =>
      new SignJWT({ org: 'acme', role: 'auditee' })
        .setProtectedHeader({ alg: 'EdDSA', kid: auditee.kid, typ: 'at+jwt' })
        .setIssuer('acme-idp')
        .setAudience(audience)
        .setSubject('someone')
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 600)
        .sign(auditee.privateKey);
    expect(await outcome(verifier(), await forSeveral(['cabc-assessment', 'cabc-certification-body']))).toEqual({
      status: 401,
      detail: expect.stringMatching(/for several audiences \(cabc-assessment, cabc-certification-body\)/),
    });
    expect(await outcome(verifier(), await forSeveral(['cabc-assessment']))).toEqual({ status: 200, detail: 'auditee' });
  });

  it('refuses an issuer it does not trust, and a trusted issuer signing with another issuer key (401)', async () => {
    expect(await outcome(verifier(), await token(auditee, { issuer: 'stranger', role: 'auditee' }))).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/issuer stranger is not trusted/),
    });
    // The auditee's key claiming to be the auditor's IdP.
    expect(await outcome(verifier(), await token(auditee, { issuer: 'auditor-idp', role: 'auditor' }))).toMatchObject({
      status: 401,
    });
  });

  it("refuses a party's IdP asserting another party's role or organization (403)", async () => {
    expect(await outcome(verifier(), await token(auditee, { issuer: 'acme-idp', role: 'auditor' }))).toEqual({
      status: 403,
      detail: 'issuer acme-idp (auditee) may not assert role auditor here',
    });
    expect(
      await outcome(verifier(), await token(auditee, { issuer: 'acme-idp', role: 'auditee', org: 'globex' })),
    ).toEqual({ status: 403, detail: 'issuer acme-idp (auditee) may not speak for organization globex' });
  });

  it('refuses a token that lives longer than the maximum lifetime (401)', async () => {
    const longLived = await token(auditee, { issuer: 'acme-idp', role: 'auditee', ttlSeconds: 7200 });
    expect(await outcome(verifier(), longLived)).toEqual({
      status: 401,
      detail: 'invalid bearer token: its lifetime (7200 s) exceeds the 3600 s this service accepts',
    });
  });

  it('refuses key sets over plain http other than loopback, at start-up', () => {
    const insecure = (issuer: TrustedIssuer) =>
      createTokenVerifier({ audience: 'a', issuers: [issuer], maxLifetimeSeconds: 60 });
    expect(() => insecure({ issuer: 'http://idp.example', orgs: ['*'], roles: ['auditee'] })).toThrow(/https only/);
    expect(() =>
      insecure({ issuer: 'x', jwksUri: 'http://idp.example/jwks', orgs: ['*'], roles: ['auditee'] }),
    ).toThrow(/https only/);
  });

  describe('OIDC discovery', () => {
    let server: Server;
    let issuerUrl: string;
    let discoveries = 0;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.setHeader('content-type', 'application/json');
        if (request.url === '/realms/acme/.well-known/openid-configuration') {
          discoveries += 1;
          response.end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/keys` }));
        } else if (request.url === '/realms/acme/keys') {
          response.end(JSON.stringify({ keys: [auditee.publicJwk] }));
        } else {
          response.statusCode = 404;
          response.end('{}');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/acme`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('finds the key set through /.well-known/openid-configuration, warning that loopback http is insecure', async () => {
      const warnings: string[] = [];
      const verify = createTokenVerifier({
        audience: 'cabc-assessment',
        issuers: [{ issuer: issuerUrl, party: 'auditee', orgs: ['acme'], roles: ['auditee'] }],
        maxLifetimeSeconds: 3600,
        log: { warn: (_details, message) => warnings.push(message) },
      });
      expect(await outcome(verify, await token(auditee, { issuer: issuerUrl, role: 'auditee' }))).toEqual({
        status: 200,
        detail: 'auditee',
      });
      expect(await outcome(verify, await token(auditee, { issuer: issuerUrl, role: 'auditee' }))).toMatchObject({
        status: 200,
      });
      expect(discoveries).toBe(1);
      expect(warnings).toEqual([expect.stringMatching(/^INSECURE: .*plain http/)]);
    });
  });
});
