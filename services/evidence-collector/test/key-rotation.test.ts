import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeyStore } from '@cabc/key-store';
import type { Server } from '@cabc/http-kit';
import { expectProblem } from '@cabc/testing';
import { buildApp } from '../src/app.ts';
import { appDepsFrom } from '../src/app-deps.ts';
import { bearer, performanceEvidence, startCollectorApp, type CollectorFixture } from './support/collector-app.ts';
import { verifiedStatement } from './support/native.ts';

describe('collector signing key rotation', () => {
  let fixture: CollectorFixture;
  let replica: Server;
  let pipeline: { authorization: string };
  let admin: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp();
    // A second replica on the same database, checking the active key on every signature.
    replica = await buildApp({
      ...appDepsFrom(fixture.infra, fixture.config),
      keys: new SigningKeyStore(fixture.infra.db, {
        secret: fixture.config.KEY_ENCRYPTION_SECRET,
        service: 'evidence-collector',
      }),
      keyRefreshMs: 0,
    });
    pipeline = await bearer('pipeline');
    admin = await bearer('admin');
  });
  afterAll(async () => {
    await replica?.close();
    await fixture?.dispose();
  });

  const submit = async (app: Server, accuracy: number) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: pipeline,
      payload: performanceEvidence('rotating', accuracy),
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const jwksKids = async () =>
    ((await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys as { kid: string }[]).map(
      (key) => key.kid,
    );

  it('lets only admins of the operating organization manage keys', async () => {
    for (const [method, url] of [
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys/next'],
      ['POST', '/v1/keys/rotate'],
    ] as const) {
      expectProblem(await fixture.app.inject({ method, url }), 401);
      expectProblem(await fixture.app.inject({ method, url, headers: pipeline }), 403);
      expectProblem(await fixture.app.inject({ method, url, headers: await bearer('auditee') }), 403);
      expectProblem(await fixture.app.inject({ method, url, headers: await bearer('admin', 'globex') }), 403);
    }
  });

  it('prepares the next key (published, not signing), rotates to it, and old signatures keep verifying', async () => {
    const first = await fixture.infra.keys.active();
    const before = await submit(fixture.app, 0.91);
    const beforeOnReplica = await submit(replica, 0.915);
    expect((await verifiedStatement(fixture.app, beforeOnReplica, pipeline)).keyid).toBe(first.kid);

    const prepared = await fixture.app.inject({ method: 'POST', url: '/v1/keys/next', headers: admin });
    expect(prepared.statusCode, prepared.body).toBe(201);
    const next = prepared.json() as { kid: string; status: string; jwk: { x: string } };
    expect(next.status).toBe('next');
    expect(next.jwk).not.toHaveProperty('d');
    const again = await fixture.app.inject({ method: 'POST', url: '/v1/keys/next', headers: admin });
    expect(again.statusCode).toBe(200);
    expect(again.json().kid).toBe(next.kid);
    expect(await jwksKids()).toEqual(expect.arrayContaining([first.kid, next.kid]));

    // Published, but not used yet.
    const during = await submit(fixture.app, 0.92);
    expect((await verifiedStatement(fixture.app, during, pipeline)).keyid).toBe(first.kid);

    const rotated = await fixture.app.inject({ method: 'POST', url: '/v1/keys/rotate', headers: admin });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json()).toMatchObject({
      active: { kid: next.kid, status: 'active' },
      retired: { kid: first.kid, status: 'retired' },
      promotedNextKey: true,
    });
    expect(rotated.json().note).toContain('scope');

    const after = await submit(fixture.app, 0.93);
    expect((await verifiedStatement(fixture.app, after, pipeline)).keyid).toBe(next.kid);
    // The replica notices the rotation made elsewhere.
    const fromReplica = await submit(replica, 0.94);
    expect((await verifiedStatement(fixture.app, fromReplica, pipeline)).keyid).toBe(next.kid);
    // Evidence signed before the rotation still verifies against the published JWKS.
    expect((await verifiedStatement(fixture.app, before, pipeline)).keyid).toBe(first.kid);
    expect((await verifiedStatement(fixture.app, during, pipeline)).keyid).toBe(first.kid);
  });

  it('rotates without a prepared key (emergency): a new key signs, every earlier one stays published', async () => {
    const previous = (await fixture.app.inject({ method: 'GET', url: '/v1/keys', headers: admin })).json().keys as {
      kid: string;
      status: string;
    }[];
    const rotated = await fixture.app.inject({ method: 'POST', url: '/v1/keys/rotate', headers: admin });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().promotedNextKey).toBe(false);
    const active = rotated.json().active.kid as string;
    expect(previous.map((key) => key.kid)).not.toContain(active);
    const listed = (await fixture.app.inject({ method: 'GET', url: '/v1/keys', headers: admin })).json().keys as {
      kid: string;
      status: string;
    }[];
    expect(listed.filter((key) => key.status === 'active').map((key) => key.kid)).toEqual([active]);
    expect(listed.filter((key) => key.status === 'retired')).toHaveLength(2);
    expect(await jwksKids()).toEqual(expect.arrayContaining(listed.map((key) => key.kid)));
    const signed = await submit(fixture.app, 0.95);
    expect((await verifiedStatement(fixture.app, signed, pipeline)).keyid).toBe(active);
  });
});

describe('collector key management without COLLECTOR_ORG', () => {
  let fixture: CollectorFixture;
  beforeAll(async () => {
    fixture = await startCollectorApp({ env: { COLLECTOR_ORG: '' } });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('is disabled (403 naming COLLECTOR_ORG), while pushes from any organization work', async () => {
    const problem = expectProblem(
      await fixture.app.inject({ method: 'POST', url: '/v1/keys/rotate', headers: await bearer('admin') }),
      403,
    );
    expect(problem.detail).toContain('COLLECTOR_ORG');
    const pushed = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: await bearer('pipeline', 'globex'),
      payload: performanceEvidence(),
    });
    expect(pushed.statusCode).toBe(201);
  });
});
