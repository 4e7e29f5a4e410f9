// Every JSON route of the assessment service, 200 bodies each, through app.inject() on a real Postgres and Redis:
// never a 5xx, every refusal problem+json naming a field, and a refusal stores nothing (test/fuzz/route-fuzz.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, toeInput } from '../../services/assessment/test/support/api.ts';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from '../../services/assessment/test/support/assessment-app.ts';
import { accuracyScope } from '../../services/assessment/test/support/seed.ts';
import { fuzzEveryJsonOperation, type FuzzTarget } from './route-fuzz.ts';

const RUNS = 200;

describe('assessment: every JSON route under generated and mutated bodies', () => {
  let fixture: AssessmentFixture;
  let target: FuzzTarget;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    const auditee = await fixture.token('auditee');
    const toe = await call(fixture.app, 'POST', '/v1/toes', auditee, toeInput('fuzzed'));
    expect(toe.status).toBe(201);
    const scope = { document: accuracyScope([fixture.collectorKey]) };
    expect((await call(fixture.app, 'POST', `/v1/toes/${toe.body.id}/scopes`, auditee, scope)).status).toBe(201);
    const envelope = signedEnvelope(evidenceStatement(), fixture.collectorKey);
    target = {
      app: fixture.app,
      db: fixture.infra.db,
      token: (role) => fixture.token(role),
      pathValues: { toeId: toe.body.id, version: '1', templateId: 'accuracy-threshold' },
      seeds: {
        'PATCH /v1/toes/{toeId}': [{ name: 'renamed' }],
        'POST /v1/toes': [toeInput('another')],
        'POST /v1/toes/{toeId}/scopes': [scope],
        'PUT /v1/toes/{toeId}/scopes/{version}': [scope],
        'POST /v1/evidence': [JSON.parse(envelope)],
        'POST /v1/evidence/batch': [{ envelopes: [envelope] }],
      },
    };
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it(`answers ${RUNS} bodies per route without a 5xx, refusing with problem+json and storing nothing`, async () => {
    expect((await fuzzEveryJsonOperation(target, RUNS)).length).toBeGreaterThanOrEqual(5);
  }, 600_000);
});
