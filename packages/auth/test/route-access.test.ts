import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { createServer, publicRoute, type Server } from '@cabc/http-kit';
import { createLogger } from '@cabc/service-kit';
import { allowRoles, createTokenVerifier, mintToken, registerAuthentication, signedBodyRoute } from '../src/index.ts';

const server = () =>
  createServer({
    title: 'test',
    description: 'route access declarations',
    version: '0',
    logger: createLogger('test', 'silent'),
    bodyLimitBytes: 1024,
  });

describe('route access declarations', () => {
  let app: Server | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('refuses to register a route that declares no access, naming it', async () => {
    app = await server();
    expect(() => app!.get('/v1/undeclared', async () => 'x')).toThrow(/GET \/v1\/undeclared declares no access/);
  });

  it('refuses to register a route whose declaration is not one of the three kinds', async () => {
    app = await server();
    const bogus = { access: { roles: [] } };
    expect(() => app!.get('/v1/empty', { config: bogus }, async () => 'x')).toThrow(/declares no access/);
  });

  it('does not start when routes declare roles but no bearer-token authentication is registered', async () => {
    app = await server();
    app.get('/v1/secret', { config: allowRoles('auditor') }, async () => 'x');
    await expect(app.ready()).rejects.toThrow(/no bearer-token authentication/);
  });

  it('lets each request through as its route declares: public, signed body, roles (401 / 403)', async () => {
    const key = await generateSigningKey();
    app = await server();
    registerAuthentication(
      app,
      createTokenVerifier({
        audience: 'svc',
        issuers: [{ issuer: 'it', jwks: { keys: [key.publicJwk] }, orgs: ['*'], roles: ['auditor', 'auditee'] }],
        maxLifetimeSeconds: 3600,
      }),
    );
    app.get('/open', { config: publicRoute }, async () => 'open');
    app.post('/signed', { config: signedBodyRoute }, async () => 'signed');
    app.get('/auditors', { config: allowRoles('auditor') }, async () => 'auditors');
    await app.ready();
    const token = (role: 'auditor' | 'auditee') =>
      mintToken({ issuer: 'it', audience: 'svc', subject: 's', org: 'acme', role, ttlSeconds: 60, key });
    const call = async (method: 'GET' | 'POST', url: string, bearer?: string) =>
      (await app!.inject({ method, url, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })).statusCode;
    expect(await call('GET', '/open')).toBe(200);
    expect(await call('POST', '/signed')).toBe(200);
    expect(await call('GET', '/auditors')).toBe(401);
    expect(await call('GET', '/auditors', await token('auditee'))).toBe(403);
    expect(await call('GET', '/auditors', await token('auditor'))).toBe(200);
    // The documentation pages are declared public by the server itself.
    expect(await call('GET', '/openapi.json')).toBe(200);
    expect(await call('GET', '/docs/json')).toBe(200);
  });
});
