import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '@cabc/http-kit';
import { createRedis, type Redis } from '@cabc/service-kit';
import { documentedRoutes, registeredRoutes, rfc7638Thumbprint } from './routes.ts';

/** What the operations suite needs of a service's test fixture. */
export interface OperationsFixture {
  app: Server;
  infra: { keys: { active: () => Promise<{ kid: string }> } };
  dispose: () => Promise<void>;
}

export interface OperationsSuite<F extends OperationsFixture> {
  /** The service's name as the test titles say it. */
  name: string;
  /** A fixture with the service's app (not listening) on a database and Redis of its own. */
  start: () => Promise<F>;
  /** Routes that must be registered; every registered route must be documented. */
  expectedRoutes: string[];
  /** Routes registered on purpose without documentation (hidden catch-alls); they must be registered. */
  undocumentedRoutes?: string[];
  /** The service's app on the fixture's database and keys, with `redis` as its queue connection. */
  appWithRedis: (fixture: F, redis: Redis) => Promise<Server>;
}

/** The operations endpoints every service has: health, readiness, OpenAPI, docs, request ids, JWKS. */
export function describeOperations<F extends OperationsFixture>(suite: OperationsSuite<F>): void {
  const undocumented = suite.undocumentedRoutes ?? [];

  describe(`${suite.name} operations endpoints`, () => {
    let fixture: F;
    beforeAll(async () => {
      fixture = await suite.start();
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    it('answers /healthz with 200', async () => {
      const response = await fixture.app.inject({ method: 'GET', url: '/healthz' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz with 200 when Postgres and Redis are up', async () => {
      const response = await fixture.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
    });

    it('publishes an OpenAPI 3.1 document listing every route', async () => {
      const response = await fixture.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      const document = response.json();
      expect(document.openapi).toMatch(/^3\.1\.\d+$/);
      const routes = registeredRoutes(fixture.app);
      expect(routes).toEqual(expect.arrayContaining([...suite.expectedRoutes, ...undocumented]));
      expect(documentedRoutes(document)).toEqual(routes.filter((route) => !undocumented.includes(route)));
    });

    it('serves the interactive documentation at /docs as HTML', async () => {
      let url = '/docs';
      let response = await fixture.app.inject({ method: 'GET', url });
      for (let hops = 0; hops < 5 && response.statusCode >= 300 && response.statusCode < 400; hops += 1) {
        url = new URL(String(response.headers.location), 'http://localhost').pathname;
        response = await fixture.app.inject({ method: 'GET', url });
      }
      expect(response.statusCode).toBe(200);
      expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
      expect(response.body).toMatch(/<html/i);
    });

    it('echoes a well-formed x-request-id and generates one otherwise', async () => {
      const echoed = await fixture.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'pipeline-run-7:step.2' },
      });
      expect(echoed.headers['x-request-id']).toBe('pipeline-run-7:step.2');

      const generated = await fixture.app.inject({ method: 'GET', url: '/healthz' });
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

      const unsafe = await fixture.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'bad id\twith spaces' },
      });
      expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('carries the request id into problem answers', async () => {
      const response = await fixture.app.inject({
        method: 'GET',
        url: '/no-such-route',
        headers: { 'x-request-id': 'trace-404' },
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['x-request-id']).toBe('trace-404');
      expect(response.json().requestId).toBe('trace-404');
    });

    it('publishes its Ed25519 public key with the RFC 7638 thumbprint as kid', async () => {
      const response = await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(response.statusCode).toBe(200);
      const { keys } = response.json() as { keys: Record<string, string>[] };
      expect(keys.length).toBeGreaterThan(0);
      const active = await fixture.infra.keys.active();
      const published = keys.find((key) => key.kid === active.kid);
      expect(published).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(published).not.toHaveProperty('d');
      for (const key of keys) {
        expect(key.kid).toBe(rfc7638Thumbprint(key as { crv: string; kty: string; x: string }));
        expect(key.kid).toBe(await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x }, 'sha256'));
      }
    });
  });

  describe(`${suite.name} readiness without Redis`, () => {
    let fixture: F;
    let deadRedis: Redis;
    let app: Server;
    beforeAll(async () => {
      fixture = await suite.start();
      deadRedis = createRedis('redis://127.0.0.1:1');
      app = await suite.appWithRedis(fixture, deadRedis);
    });
    afterAll(async () => {
      deadRedis?.disconnect();
      await app?.close();
      await fixture?.dispose();
    });

    it('answers /readyz with 503 and redis down, while /healthz stays 200', async () => {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'not_ready', checks: { postgres: 'up', redis: 'down' } });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });
}
