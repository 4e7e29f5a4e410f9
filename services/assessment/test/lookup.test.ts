import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '@cabc/testing';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';

describe('assessment lookups', () => {
  let fixture: AssessmentFixture;
  let auditor: string;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    auditor = await fixture.token('auditor');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const get = (url: string, token = auditor) =>
    fixture.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('finds accepted evidence with the receipt it answered', async () => {
    const accepted = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json' },
      payload: signedEnvelope(evidenceStatement({ toe: 'toe-lookup' }), fixture.collectorKey),
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    const view = await get(`/v1/evidence/${accepted.json().evidenceId}`);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ ...accepted.json(), kind: 'performance', keyid: fixture.collectorKey.kid });
    // Another organization's principal cannot tell it exists.
    const foreign = await get(`/v1/evidence/${accepted.json().evidenceId}`, await fixture.token('auditor', 'globex'));
    expectProblem(foreign, 404, 'path:id');
  });

  it('answers 401 without a bearer token', async () => {
    expectProblem(await fixture.app.inject({ method: 'GET', url: `/v1/evidence/${randomUUID()}` }), 401);
  });

  it('answers 404 problem+json naming path:id for unknown evidence', async () => {
    const id = randomUUID();
    const problem = expectProblem(await get(`/v1/evidence/${id}`), 404, 'path:id');
    expect(problem.detail).toContain(id);
  });

  it('answers 400 naming path:id when the id is not a uuid', async () => {
    expectProblem(await get('/v1/evidence/12345'), 400, 'path:id');
  });

  it('answers 404 problem+json naming path:toeId for an unknown ToE', async () => {
    expectProblem(await get(`/v1/toes/toe_${'0'.repeat(20)}/posture`), 404, 'path:toeId');
  });

  it('answers 400 naming path:toeId for a malformed ToE id', async () => {
    expectProblem(await get(`/v1/toes/${'t'.repeat(257)}/posture`), 400, 'path:toeId');
  });

  it('answers 414 problem+json for a path parameter far over any limit', async () => {
    expectProblem(await get(`/v1/toes/${'t'.repeat(5000)}/posture`), 414, 'path');
  });

  it('answers 400 problem+json naming path for a URL that does not decode', async () => {
    const response = await fixture.app.inject({
      method: 'GET',
      url: '/v1/evidence/%zz',
      headers: { 'x-request-id': 'bad-url-1' },
    });
    const problem = expectProblem(response, 400, 'path');
    expect(problem.requestId).toBe('bad-url-1');
  });

  it('answers 404 problem+json for an unknown route, token or not', async () => {
    const problem = expectProblem(await fixture.app.inject({ method: 'GET', url: '/v1/assessments' }), 404);
    expect(problem.detail).toBe('no route GET /v1/assessments');
  });
});
