import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';

describe('POST /v1/evidence/batch', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const post = (body: unknown) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence/batch',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it('stores each envelope as the single route would, answering each in order, refusals included', async () => {
    const before = await fixture.counts();
    const first = signedEnvelope(evidenceStatement({ accuracy: 0.91 }), fixture.collectorKey);
    const second = signedEnvelope(evidenceStatement({ accuracy: 0.92 }), fixture.collectorKey);
    const stranger = signedEnvelope(evidenceStatement({ accuracy: 0.93 }), await generateSigningKey());
    const answer = await post({ envelopes: [first, second, first, stranger, '{not json'] });
    expect(answer.statusCode, answer.body).toBe(200);
    const results = answer.json().results as {
      status: number;
      receipt?: { evidenceId: string; sequence: number };
      problem?: { type: string; errors?: { field: string }[] };
    }[];
    // The same envelope twice in one batch: stored once; which of the two answers 201 depends on timing.
    expect([results[0]!.status, results[2]!.status].sort()).toEqual([200, 201]);
    expect(results.map((result) => result.status).filter((_, index) => index !== 0 && index !== 2)).toEqual([
      201, 403, 400,
    ]);
    expect(results[2]!.receipt).toEqual(results[0]!.receipt);
    expect(results[0]!.receipt!.evidenceId).not.toBe(results[1]!.receipt!.evidenceId);
    expect(results[3]!.problem!.type).toBe('https://cabc.dev/problems/unknown-signing-key');
    expect(results[4]!.problem!.errors![0]!.field).toBe('envelope');
    const after = await fixture.counts();
    expect(after.evidence - before.evidence).toBe(2);
  });

  it('refuses a malformed batch as a whole, storing nothing', async () => {
    const before = await fixture.counts();
    expect((await post({ envelopes: [] })).statusCode).toBe(400);
    // More envelopes than EVIDENCE_BATCH_MAX (500) is too large, not malformed.
    expect((await post({ envelopes: Array.from({ length: 501 }, () => '{}') })).statusCode).toBe(413);
    expect((await post({ envelope: 'x' })).statusCode).toBe(400);
    expect(await fixture.counts()).toEqual(before);
  });
});
