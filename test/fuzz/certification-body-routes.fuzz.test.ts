// Every JSON route of the certification body, 200 bodies each, through app.inject() on a real Postgres and Redis:
// never a 5xx, every refusal problem+json naming a field, and a refusal stores nothing (test/fuzz/route-fuzz.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCertificationApp,
  tokenFor,
  type CertificationFixture,
} from '../../services/certification-body/test/support/certification-app.ts';
import { fuzzEveryJsonOperation, type FuzzTarget } from './route-fuzz.ts';

const RUNS = 200;

describe('certification body: every JSON route under generated and mutated bodies', () => {
  let fixture: CertificationFixture;
  let target: FuzzTarget;
  beforeAll(async () => {
    fixture = await startCertificationApp();
    target = {
      app: fixture.app,
      db: fixture.infra.db,
      token: (role) => tokenFor(role),
      pathValues: {},
      seeds: {
        'POST /v1/webhooks/subscriptions': [{ url: 'https://example.org/hook', events: ['certificate.issued'] }],
      },
    };
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it(`answers ${RUNS} bodies per route without a 5xx, refusing with problem+json and storing nothing`, async () => {
    expect(
      (await fuzzEveryJsonOperation(target, RUNS, (operation) => operation.path.startsWith('/v1/callbacks/'))).length,
    ).toBeGreaterThanOrEqual(3);
  }, 600_000);
});
