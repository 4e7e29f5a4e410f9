// Every JSON route of the evidence collector, 200 bodies each, through app.inject() on a real Postgres and Redis:
// never a 5xx, every refusal problem+json naming a field, and a refusal stores nothing (test/fuzz/route-fuzz.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  performanceEvidence,
  startCollectorApp,
  tokenFor,
  type CollectorFixture,
} from '../../services/evidence-collector/test/support/collector-app.ts';
import { fuzzEveryJsonOperation, type FuzzTarget } from './route-fuzz.ts';

const RUNS = 200;

describe('collector: every JSON route under generated and mutated bodies', () => {
  let fixture: CollectorFixture;
  let target: FuzzTarget;
  beforeAll(async () => {
    fixture = await startCollectorApp();
    target = {
      app: fixture.app,
      db: fixture.infra.db,
      token: (role) => tokenFor(role),
      pathValues: {},
      seeds: { 'POST /v1/evidence': [performanceEvidence()] },
    };
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it(`answers ${RUNS} bodies per route without a 5xx, refusing with problem+json and storing nothing`, async () => {
    expect((await fuzzEveryJsonOperation(target, RUNS)).length).toBeGreaterThanOrEqual(2);
  }, 600_000);
});
