import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEachTestLeavesUnchanged, expectProblem } from '@cabc/testing';
import { bearer, performanceEvidence, startCollectorApp, type CollectorFixture } from './support/collector-app.ts';

describe('collector POST /v1/evidence refuses bad input and stores nothing', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp({ bodyLimitBytes: 4096 });
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });
  expectEachTestLeavesUnchanged(() => fixture.counts());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      payload,
    });
  const postJson = (body: unknown, headers: Record<string, string> = {}) => post(JSON.stringify(body), headers);

  it('refuses malformed JSON with 400 naming the body', async () => {
    const problem = expectProblem(await post('{"toe": "credit-scoring",'), 400, 'body');
    expect(problem.instance).toBe('/v1/evidence');
  });

  it('refuses evidence without a toe with 400 naming toe', async () => {
    const { toe: _toe, ...withoutToe } = performanceEvidence();
    expectProblem(await postJson(withoutToe), 400, 'toe');
  });

  it('refuses an object as a measurement value with 400 naming measurements.0.value', async () => {
    const evidence = performanceEvidence();
    const bad = { ...evidence, measurements: [{ name: 'accuracy', value: { nested: 0.9 } }] };
    expectProblem(await postJson(bad), 400, 'measurements.0.value');
  });

  it('refuses an unknown kind with 400 naming kind', async () => {
    expectProblem(await postJson({ ...performanceEvidence(), kind: 'horoscope' }), 400, 'kind');
  });

  it('refuses a subject digest that is not sha256 hex with 400 naming subject.0.digest.sha256', async () => {
    const bad = { ...performanceEvidence(), subject: [{ name: 'model.onnx', digest: { sha256: 'not-a-digest' } }] };
    expectProblem(await postJson(bad), 400, 'subject.0.digest.sha256');
  });

  it('refuses unknown members with 400 naming each of them', async () => {
    const evidence = performanceEvidence();
    const problem = expectProblem(
      await postJson({ ...evidence, extra: 1, producer: { ...evidence.producer, colour: 'red' } }),
      400,
      'extra',
    );
    expect(problem.errors?.map((error) => error.field)).toContain('producer.colour');
  });

  it('refuses a __proto__ key with 400 naming it', async () => {
    const body = JSON.stringify(performanceEvidence()).replace(/^\{/, '{"__proto__":{"polluted":true},');
    const problem = expectProblem(await post(body), 400, '__proto__');
    expect(problem.type).toBe('https://cabc.dev/problems/forbidden-key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body over the configured limit with 413', async () => {
    const big = { ...performanceEvidence(), checks: [{ name: 'padding', status: 'pass', detail: 'x'.repeat(4096) }] };
    const problem = expectProblem(await postJson(big), 413, 'body');
    expect(problem.type).toBe('https://cabc.dev/problems/ctp-body-too-large');
  });

  it('refuses a body that is not JSON with 415 naming the content-type header', async () => {
    expectProblem(await post('toe=credit-scoring', { 'content-type': 'text/plain' }), 415, 'header:content-type');
  });

  it('refuses a malformed Idempotency-Key with 400 naming the header', async () => {
    expectProblem(
      await postJson(performanceEvidence(), { 'idempotency-key': 'has spaces/and slashes' }),
      400,
      'header:idempotency-key',
    );
  });
});

describe('collector Idempotency-Key (unified JSON)', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp();
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const post = (body: unknown, key: string) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'idempotency-key': key, ...auth },
      payload: body as object,
    });

  it('answers the same body again with 200 and the same evidence, storing it once', async () => {
    const first = await post(performanceEvidence('toe-a', 0.91), 'run-42:eval');
    expect(first.statusCode, first.body).toBe(201);
    const again = await post(performanceEvidence('toe-a', 0.91), 'run-42:eval');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(again.json().envelopeSha256).toBe(first.json().envelopeSha256);
    expect(again.headers.location).toBe(`/v1/evidence/${first.json().id}`);
    expect(await fixture.counts()).toMatchObject({ evidence: 1, outbox: 1, submissions: 1 });
  });

  it('refuses the key with a different body with 409, storing nothing more', async () => {
    const first = await post(performanceEvidence('toe-b', 0.93), 'run-43:eval');
    expect(first.statusCode, first.body).toBe(201);
    const counted = await fixture.counts();
    const conflict = expectProblem(
      await post(performanceEvidence('toe-b', 0.5), 'run-43:eval'),
      409,
      'header:idempotency-key',
    );
    expect(conflict.submissionId).toBe(first.json().submissionId);
    expect(await fixture.counts()).toEqual(counted);
  });
});
