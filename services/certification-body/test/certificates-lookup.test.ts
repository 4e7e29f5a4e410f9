import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '@cabc/testing';
import {
  bearer,
  postureClaims,
  signedCallback,
  startCertificationApp,
  type CertificationFixture,
} from './support/certification-app.ts';
import { auditor } from './support/scenario.ts';

describe('certification body lookups', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  // The certificates here belong to acme (scopeClaims' organization); the certification body reads them with an acme token.
  const get = async (url: string, org = 'acme') =>
    fixture.app.inject({ method: 'GET', url, headers: await bearer('certification_body', org) });

  it('lists and finds an issued certificate', async () => {
    await auditor(fixture).approve('toe-lookup');
    const applied = await fixture.app.inject({
      method: 'POST',
      url: '/v1/callbacks/assessment',
      headers: { 'content-type': 'application/jose' },
      payload: await signedCallback(postureClaims({ toe: 'toe-lookup' }), fixture.auditorKey),
    });
    expect(applied.json()).toMatchObject({ outcome: 'applied', state: 'issued' });
    const list = await get('/v1/certificates?toe=toe-lookup');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: applied.json().certificateId, state: 'issued' })]);
    const detail = await get(`/v1/certificates/${applied.json().certificateId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().history).toEqual([expect.objectContaining({ from: 'none', to: 'issued' })]);
    // With another organization's token the certificate does not exist.
    expect((await get('/v1/certificates?toe=toe-lookup', 'globex')).json()).toEqual({ items: [] });
    expectProblem(await get(`/v1/certificates/${applied.json().certificateId}`, 'globex'), 404, 'path:id');
  });

  it('answers 404 problem+json naming path:id for an unknown certificate', async () => {
    const id = randomUUID();
    const problem = expectProblem(await get(`/v1/certificates/${id}`), 404, 'path:id');
    expect(problem.detail).toContain(id);
  });

  it('answers 400 naming path:id when the id is not a uuid', async () => {
    expectProblem(await get('/v1/certificates/cert-1'), 400, 'path:id');
  });

  it('answers 400 naming query:toe when the list has no toe', async () => {
    expectProblem(await get('/v1/certificates'), 400, 'query:toe');
  });

  it('answers 400 naming query:limit for a limit out of range', async () => {
    expectProblem(await get('/v1/certificates?toe=toe-lookup&limit=1000'), 400, 'query:limit');
    expectProblem(await get('/v1/certificates?toe=toe-lookup&limit=many'), 400, 'query:limit');
  });

  it('answers an empty list for a ToE without certificates', async () => {
    const list = await get('/v1/certificates?toe=never-certified');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [] });
  });

  it('answers 404 problem+json for an unknown route', async () => {
    const problem = expectProblem(await get('/v1/certificate-authorities'), 404);
    expect(problem.detail).toBe('no route GET /v1/certificate-authorities');
  });
});
