import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '@cabc/testing';
import { call, toeInput } from './support/api.ts';
import { accuracyScope } from './support/seed.ts';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';

const MODEL_V1 = 'b'.repeat(64);
const MODEL_V2 = 'c'.repeat(64);

describe('the approved scope pins what is certified (issue 12.3)', () => {
  let fixture: AssessmentFixture;
  let auditee: string;
  let auditor: string;
  let toeId: string;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    auditee = await fixture.token('auditee');
    auditor = await fixture.token('auditor');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const api = (method: string, url: string, token: string, body?: unknown) =>
    call(fixture.app, method, url, token, body);
  const evidenceAbout = (sha256: string, name = 'model.onnx') => {
    const statement = evidenceStatement({ toe: toeId });
    return signedEnvelope({ ...statement, subject: [{ name, digest: { sha256 } }] }, fixture.collectorKey);
  };
  const push = (envelope: string) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json' },
      payload: envelope,
    });
  const approve = async (version: number) => {
    expect((await api('POST', `/v1/toes/${toeId}/scopes/${version}/submit`, auditee)).status).toBe(200);
    expect((await api('POST', `/v1/toes/${toeId}/scopes/${version}/approve`, auditor, {})).status).toBe(200);
  };

  it("copies the ToE's artifacts into a draft that names none, so the auditor approves them", async () => {
    toeId = (await api('POST', '/v1/toes', auditee, toeInput('pinned'))).body.id;
    const draft = await api('POST', `/v1/toes/${toeId}/scopes`, auditee, {
      document: accuracyScope([fixture.collectorKey]),
    });
    expect(draft.status).toBe(201);
    expect(draft.body.document.artifacts).toEqual({ models: [{ name: 'model.onnx', sha256: MODEL_V1 }], datasets: [] });
    await approve(1);
    expect((await push(evidenceAbout(MODEL_V1))).statusCode).toBe(201);
  });

  it('turns an artifact PATCH after approval into a draft scope version (202) and keeps the pinned artifacts', async () => {
    const patched = await api('PATCH', `/v1/toes/${toeId}`, auditee, {
      artifacts: { models: [{ name: 'model-v2.onnx', sha256: MODEL_V2 }], datasets: [] },
    });
    expect(patched.status).toBe(202);
    expect(patched.body.artifacts.models).toEqual([{ name: 'model.onnx', sha256: MODEL_V1 }]);
    expect(patched.body.pendingArtifacts).toMatchObject({ scopeVersion: 2, state: 'draft' });
    expect((await api('GET', `/v1/toes/${toeId}`, auditee)).body.artifacts.models[0].sha256).toBe(MODEL_V1);
    const draft = await api('GET', `/v1/toes/${toeId}/scopes/2`, auditee);
    expect(draft.body.scope ?? draft.body).toMatchObject({ state: 'draft' });
  });

  it('refuses evidence about the new model until that version is approved, naming the subject, storing nothing', async () => {
    const before = await fixture.counts();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the cached trust's reread interval
    const problem = expectProblem(
      await push(evidenceAbout(MODEL_V2, 'model-v2.onnx')),
      422,
      'payload.subject.0.digest',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/subject-not-in-scope');
    expect(problem.detail).toContain('model-v2.onnx');
    expect(problem.detail).toMatch(/version 2, which names it, awaits approval/);
    expect(await fixture.counts()).toEqual(before);
  });

  it('takes the new artifacts when the auditor approves the version, and then refuses the old model', async () => {
    await approve(2);
    // Ingest caches what a ToE trusts and rereads it at most once a second when evidence does not fit.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await api('GET', `/v1/toes/${toeId}`, auditee)).body.artifacts.models[0].sha256).toBe(MODEL_V2);
    expect((await push(evidenceAbout(MODEL_V2, 'model-v2.onnx'))).statusCode).toBe(201);
    expectProblem(await push(evidenceAbout(MODEL_V1)), 422, 'payload.subject.0.digest');
  });

  it('refuses an artifact change while a version is under review (409) and keeps artifacts on other changes', async () => {
    expect((await api('POST', `/v1/toes/${toeId}/scopes`, auditee, {})).status).toBe(201);
    expect((await api('POST', `/v1/toes/${toeId}/scopes/3/submit`, auditee)).status).toBe(200);
    const refused = await api('PATCH', `/v1/toes/${toeId}`, auditee, {
      artifacts: { models: [{ name: 'model-v3.onnx', sha256: 'd'.repeat(64) }], datasets: [] },
    });
    expect(refused.status).toBe(409);
    const renamed = await api('PATCH', `/v1/toes/${toeId}`, auditee, { name: 'pinned, renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.artifacts.models).toEqual([{ name: 'model-v2.onnx', sha256: MODEL_V2 }]);
  });
});
