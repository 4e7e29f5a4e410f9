import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@cabc/crypto';
import { expectProblem } from '@cabc/testing';
import {
  bearer,
  MODEL,
  performanceEvidence,
  startCollectorApp,
  tokenFor,
  type CollectorFixture,
} from './support/collector-app.ts';
import { bytesOf, formatFiles } from './support/native.ts';

const mlflowRun = bytesOf(formatFiles[0]!.file);

describe('collector authentication and authorization', () => {
  let fixture: CollectorFixture;
  beforeAll(async () => {
    fixture = await startCollectorApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const push = (headers: Record<string, string>) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(performanceEvidence()),
    });

  it('serves health, documentation and the JWKS without a token', async () => {
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/.well-known/jwks.json']) {
      expect((await fixture.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect((await fixture.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers 401 without a token, with a malformed one, and with one from another issuer', async () => {
    const before = await fixture.counts();
    expectProblem(await push({}), 401);
    expectProblem(await push({ authorization: 'Bearer not-a-jwt' }), 401);
    expectProblem(await push({ authorization: 'Basic dXNlcjpwYXNz' }), 401);
    expectProblem(await fixture.app.inject({ method: 'GET', url: '/v1/evidence' }), 401);
    expect(await fixture.counts()).toEqual(before);
  });

  it('answers 403 to roles that may not push (auditor, certification body, admin), storing nothing', async () => {
    const before = await fixture.counts();
    for (const role of ['auditor', 'certification_body', 'admin'] as const) {
      const problem = expectProblem(await push(await bearer(role)), 403);
      expect(problem.detail).toContain('pipeline');
    }
    expect(await fixture.counts()).toEqual(before);
  });

  it('lets pipelines and the auditee push; another organization’s pipeline is refused (COLLECTOR_ORG)', async () => {
    expect((await push(await bearer('pipeline'))).statusCode).toBe(201);
    expect((await push(await bearer('auditee'))).statusCode).toBe(201);
    const problem = expectProblem(await push(await bearer('pipeline', 'globex')), 403);
    expect(problem.detail).toContain('acme');
  });

  it('hides evidence, envelopes, submissions and raw files from other organizations (404) and from the auditor (403)', async () => {
    const own = await bearer('pipeline');
    const response = await fixture.app.inject({
      method: 'POST',
      url: `/v1/evidence?toe=credit-scoring&model=${encodeURIComponent(MODEL)}`,
      headers: { ...own, 'content-type': 'application/json' },
      payload: mlflowRun,
    });
    expect(response.statusCode, response.body).toBe(201);
    const submission = response.json() as { id: string; evidence: { id: string }[] };
    const id = submission.evidence[0]!.id;
    const rawSha = sha256Hex(mlflowRun);

    const urls = [
      `/v1/evidence/${id}`,
      `/v1/evidence/${id}/envelope`,
      `/v1/submissions/${submission.id}`,
      `/v1/raw/${rawSha}`,
    ];
    for (const url of urls) {
      expect((await fixture.app.inject({ method: 'GET', url, headers: own })).statusCode, url).toBe(200);
      expect((await fixture.app.inject({ method: 'GET', url, headers: await bearer('auditee') })).statusCode, url).toBe(
        200,
      );
      expectProblem(await fixture.app.inject({ method: 'GET', url, headers: await bearer('auditee', 'globex') }), 404);
      expectProblem(await fixture.app.inject({ method: 'GET', url, headers: await bearer('pipeline', 'globex') }), 404);
      expectProblem(await fixture.app.inject({ method: 'GET', url, headers: await bearer('auditor') }), 403);
    }
    const foreignList = await fixture.app.inject({
      method: 'GET',
      url: '/v1/evidence',
      headers: await bearer('auditee', 'globex'),
    });
    expect(foreignList.json()).toEqual({ items: [], nextCursor: null });
  });

  it('keeps Idempotency-Keys per organization', async () => {
    const key = { 'idempotency-key': 'shared-key-1' };
    const first = await push({ ...(await bearer('pipeline')), ...key });
    expect(first.statusCode).toBe(201);
    expect((await push({ ...(await bearer('pipeline')), ...key })).statusCode).toBe(200);
    const token = await tokenFor('pipeline', 'acme', 'another-pipeline');
    expect((await push({ authorization: `Bearer ${token}`, ...key })).json().id).toBe(first.json().id);
  });
});

describe('collector Idempotency-Key on native and multipart uploads', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp();
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const upload = (bytes: Buffer, key: string, toe = 'credit-scoring') =>
    fixture.app.inject({
      method: 'POST',
      url: `/v1/evidence?toe=${toe}&model=${encodeURIComponent(MODEL)}`,
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
      payload: bytes,
    });

  it('answers a repeated request with the whole first result (200), storing it once', async () => {
    const first = await upload(mlflowRun, 'ci-run-7:upload');
    expect(first.statusCode).toBe(201);
    const counted = await fixture.counts();
    const again = await upload(mlflowRun, 'ci-run-7:upload');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(await fixture.counts()).toEqual(counted);
  });

  it('refuses the same key with another file or another ToE (409), storing nothing', async () => {
    const first = await upload(mlflowRun, 'ci-run-8:upload');
    expect(first.statusCode).toBe(201);
    const counted = await fixture.counts();
    const other = Buffer.from(mlflowRun.toString('utf8').replace('"rmse"', '"rmse_2"'));
    const conflict = expectProblem(await upload(other, 'ci-run-8:upload'), 409, 'header:idempotency-key');
    expect(conflict.submissionId).toBe(first.json().id);
    expectProblem(await upload(mlflowRun, 'ci-run-8:upload', 'another-toe'), 409, 'header:idempotency-key');
    expect(await fixture.counts()).toEqual(counted);
  });

  it('answers concurrent requests with one key with one submission', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => upload(mlflowRun, 'ci-run-9:upload')));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(1);
  });
});
