import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_LIMITS } from '@cabc/contracts';
import { expectProblem } from '@cabc/testing';
import { bearer, performanceEvidence, startCollectorApp, type CollectorFixture } from './support/collector-app.ts';

// The caps of one evidence (EVIDENCE_LIMITS, docs/operations.md#limits) hold at the collector as at the assessment.
describe('collector POST /v1/evidence caps measurements and checks per evidence', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp();
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const post = (body: unknown) =>
    fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json', ...auth },
      payload: JSON.stringify(body),
    });

  it('refuses one measurement or check over the cap, naming the list, and stores nothing', async () => {
    const before = await fixture.counts();
    const measurements = Array.from({ length: EVIDENCE_LIMITS.measurements + 1 }, (_, i) => ({
      name: `m${i}`,
      value: i,
    }));
    expectProblem(await post({ ...performanceEvidence(), measurements }), 400, 'measurements');
    const checks = Array.from({ length: EVIDENCE_LIMITS.checks + 1 }, (_, i) => ({ name: `c${i}`, status: 'pass' }));
    expectProblem(await post({ ...performanceEvidence(), checks }), 400, 'checks');
    expect(await fixture.counts()).toEqual(before);
  });
});
