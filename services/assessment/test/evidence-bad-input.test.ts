import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, signDsse } from '@cabc/crypto';
import { expectEachTestLeavesUnchanged, expectProblem } from '@cabc/testing';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';

describe('assessment POST /v1/evidence refuses what it cannot verify and stores nothing', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp({ bodyLimitBytes: 8192 });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });
  expectEachTestLeavesUnchanged(() => fixture.counts());

  const post = (payload: string, contentType = 'application/json') =>
    fixture.app.inject({ method: 'POST', url: '/v1/evidence', headers: { 'content-type': contentType }, payload });

  it('refuses malformed JSON with 400 naming the body', async () => {
    expectProblem(await post('{"payload": "abc", "payloadType":'), 400, 'body');
  });

  it('refuses a JSON body that is not a DSSE envelope with 400 naming signatures', async () => {
    const { signatures: _signatures, ...unsigned } = JSON.parse(
      signedEnvelope(evidenceStatement(), fixture.collectorKey),
    );
    const problem = expectProblem(await post(JSON.stringify(unsigned)), 400, 'signatures');
    expect(problem.detail).toMatch(/not a DSSE envelope/);
  });

  it('refuses an envelope with unexpected members with 400 naming them', async () => {
    const envelope = { ...JSON.parse(signedEnvelope(evidenceStatement(), fixture.collectorKey)), extra: true };
    expectProblem(await post(JSON.stringify(envelope)), 400, 'extra');
  });

  it('refuses a signature by a key it does not trust with 403', async () => {
    const stranger = await generateSigningKey();
    const problem = expectProblem(await post(signedEnvelope(evidenceStatement(), stranger)), 403, 'signatures');
    expect(problem.type).toBe('https://cabc.dev/problems/unknown-signing-key');
    expect(problem.detail).toContain(stranger.kid);
  });

  it('refuses a stranger that claims a trusted keyid with 401', async () => {
    const stranger = await generateSigningKey();
    const forged = signedEnvelope(evidenceStatement(), { ...stranger, kid: fixture.collectorKey.kid });
    expectProblem(await post(forged), 401, 'signatures');
  });

  it('refuses a wrong signature (one flipped byte) with 401', async () => {
    const envelope = JSON.parse(signedEnvelope(evidenceStatement(), fixture.collectorKey));
    const sig = Buffer.from(envelope.signatures[0].sig, 'base64');
    sig[10] = sig[10]! ^ 0x01;
    envelope.signatures[0].sig = sig.toString('base64');
    const problem = expectProblem(await post(JSON.stringify(envelope)), 401, 'signatures');
    expect(problem.type).toBe('https://cabc.dev/problems/invalid-signature');
  });

  it('refuses a payload changed after signing with 401', async () => {
    const envelope = JSON.parse(signedEnvelope(evidenceStatement({ accuracy: 0.5 }), fixture.collectorKey));
    const tampered = Buffer.from(envelope.payload, 'base64').toString('utf8').replace('0.5', '0.99');
    envelope.payload = Buffer.from(tampered, 'utf8').toString('base64');
    expectProblem(await post(JSON.stringify(envelope)), 401, 'signatures');
  });

  it('refuses a verified payload that is not a valid statement with 422 naming payload.predicate.toe', async () => {
    const statement = evidenceStatement();
    const { toe: _toe, ...predicate } = statement.predicate;
    const problem = expectProblem(
      await post(signedEnvelope({ ...statement, predicate }, fixture.collectorKey)),
      422,
      'payload.predicate.toe',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/invalid-statement');
  });

  it('refuses a verified payload that is not JSON with 422 naming payload', async () => {
    const envelope = JSON.parse(signedEnvelope(evidenceStatement(), fixture.collectorKey));
    const notJson = signDsse(Buffer.from('not json at all'), envelope.payloadType, [
      { keyid: fixture.collectorKey.kid, privateKey: fixture.collectorKey.privateKey },
    ]);
    expectProblem(await post(JSON.stringify(notJson)), 422, 'payload');
  });

  it('refuses evidence observed a day in the future with 422 naming payload.predicate.observedAt', async () => {
    const tomorrow = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const problem = expectProblem(
      await post(signedEnvelope(evidenceStatement({ observedAt: tomorrow }), fixture.collectorKey)),
      422,
      'payload.predicate.observedAt',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/observed-in-future');
  });

  it('refuses an unsupported payloadType with 422 naming payloadType', async () => {
    const envelope = signedEnvelope(evidenceStatement(), fixture.collectorKey, 'application/vnd.something-else+json');
    const problem = expectProblem(await post(envelope), 422, 'payloadType');
    expect(problem.type).toBe('https://cabc.dev/problems/unsupported-payload-type');
  });

  it('refuses a body over the configured limit with 413', async () => {
    const statement = evidenceStatement();
    const checks = ['a', 'b', 'c'].map((name) => ({ name, status: 'pass', detail: 'x'.repeat(4000) }));
    const envelope = signedEnvelope(
      { ...statement, predicate: { ...statement.predicate, checks } },
      fixture.collectorKey,
    );
    expect(envelope.length).toBeGreaterThan(8192);
    expectProblem(await post(envelope), 413, 'body');
  });

  it('refuses a body that is not JSON with 415 naming the content-type header', async () => {
    expectProblem(
      await post(signedEnvelope(evidenceStatement(), fixture.collectorKey), 'text/plain'),
      415,
      'header:content-type',
    );
  });

  it('refuses a __proto__ key with 400', async () => {
    const envelope = signedEnvelope(evidenceStatement(), fixture.collectorKey).replace(/^\{/, '{"__proto__":{"x":1},');
    expectProblem(await post(envelope), 400, 'body');
  });
});

describe('assessment POST /v1/evidence is idempotent by envelope', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('answers a repeated envelope with 200 and the identical receipt, keeping one row', async () => {
    const envelope = signedEnvelope(evidenceStatement({ toe: 'toe-replayed' }), fixture.collectorKey);
    const post = () =>
      fixture.app.inject({
        method: 'POST',
        url: '/v1/evidence',
        headers: { 'content-type': 'application/json' },
        payload: envelope,
      });

    const first = await post();
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      toe: 'toe-replayed',
      sequence: expect.any(Number),
      receipt: expect.any(String),
    });
    const second = await post();
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(await fixture.counts()).toEqual({ evidence: 1, pendingEvaluations: 1 });
  });
});
