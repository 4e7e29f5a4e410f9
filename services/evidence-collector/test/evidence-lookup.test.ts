import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '@cabc/testing';
import { bearer, performanceEvidence, startCollectorApp, type CollectorFixture } from './support/collector-app.ts';

describe('collector lookups', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp();
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const get = (url: string) => fixture.app.inject({ method: 'GET', url, headers: auth });

  it('finds submitted evidence and its envelope', async () => {
    const submitted = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: auth,
      payload: performanceEvidence(),
    });
    expect(submitted.statusCode, submitted.body).toBe(201);
    const { id, envelopeSha256 } = submitted.json();
    const view = await get(`/v1/evidence/${id}`);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ id, envelopeSha256, delivery: { status: 'pending', receipt: null } });
    const envelope = await get(`/v1/evidence/${id}/envelope`);
    expect(envelope.statusCode).toBe(200);
    expect(envelope.json().payloadType).toBe('application/vnd.in-toto+json');
  });

  it('answers 404 problem+json naming path:id for unknown evidence', async () => {
    const id = randomUUID();
    const problem = expectProblem(await get(`/v1/evidence/${id}`), 404, 'path:id');
    expect(problem.detail).toContain(id);
    expect(problem.instance).toBe(`/v1/evidence/${id}`);
  });

  it('answers 404 problem+json naming path:id for the envelope of unknown evidence', async () => {
    expectProblem(await get(`/v1/evidence/${randomUUID()}/envelope`), 404, 'path:id');
  });

  it('answers 400 naming path:id when the id is not a uuid', async () => {
    expectProblem(await get('/v1/evidence/not-a-uuid'), 400, 'path:id');
    expectProblem(await get('/v1/evidence/not-a-uuid/envelope'), 400, 'path:id');
  });

  it('answers 404 problem+json for an unknown route', async () => {
    const problem = expectProblem(await get('/v1/nothing-here?x=1'), 404);
    expect(problem.detail).toBe('no route GET /v1/nothing-here');
  });

  it('answers 404 problem+json for a known path with a method it does not serve', async () => {
    expectProblem(await fixture.app.inject({ method: 'DELETE', url: '/v1/evidence', headers: auth }), 404);
  });
});
