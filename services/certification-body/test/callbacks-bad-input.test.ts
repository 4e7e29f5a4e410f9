import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { expectProblem } from '@cabc/testing';
import { postureClaims, signedCallback, startCertificationApp, type CertificationFixture } from './support/certification-app.ts';
import { auditor } from './support/scenario.ts';

describe('certification body POST /v1/callbacks/assessment refuses what it cannot verify', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp({ bodyLimitBytes: 16_384 });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const post = (payload: string, contentType = 'application/jose') =>
    fixture.app.inject({ method: 'POST', url: '/v1/callbacks/assessment', headers: { 'content-type': contentType }, payload });

  /** Runs `act` and asserts it added no certification state, and exactly `refusals` refused callback records. */
  async function changesNothing(refusals: number, act: () => Promise<void>) {
    const before = await fixture.counts();
    const recordedBefore = (await fixture.receivedCallbacks()).length;
    await act();
    expect(await fixture.counts()).toEqual({ ...before, receivedCallbacks: before.receivedCallbacks + refusals });
    const added = (await fixture.receivedCallbacks()).slice(recordedBefore);
    for (const record of added) expect(record).toMatchObject({ jti: null, outcome: 'refused' });
    return added;
  }

  it('refuses a body that is not a compact JWS with 400 naming the body', async () => {
    await changesNothing(0, async () => {
      expectProblem(await post('certainly not a token'), 400, 'body');
    });
  });

  it('refuses a JSON body with 415 naming the content-type header', async () => {
    await changesNothing(0, async () => {
      const token = await signedCallback(postureClaims(), fixture.auditorKey);
      expectProblem(await post(JSON.stringify({ token }), 'application/json'), 415, 'header:content-type');
    });
  });

  it('refuses a callback signed by a key outside the auditor JWKS with 401 and records the refusal', async () => {
    const forger = await generateSigningKey();
    const claims = postureClaims({ toe: 'toe-forged' });
    const [record] = await changesNothing(1, async () => {
      const problem = expectProblem(await post(await signedCallback(claims, forger)), 401, 'body');
      expect(problem.type).toBe('https://cabc.dev/problems/invalid-callback-signature');
    });
    expect(record!.toe).toBeNull();
    expect(record!.detail).toContain(claims.jti);
  });

  it('refuses a forgery that claims the auditor key id with 401', async () => {
    const forger = await generateSigningKey();
    await changesNothing(1, async () => {
      expectProblem(await post(await signedCallback(postureClaims(), { ...forger, kid: fixture.auditorKey.kid })), 401, 'body');
    });
  });

  it('does not let a forgery with a real jti block the genuine callback', async () => {
    const forger = await generateSigningKey();
    const claims = postureClaims({ toe: 'toe-jti-squatting' });
    await auditor(fixture).approve(claims.toe);
    expect((await post(await signedCallback(claims, forger))).statusCode).toBe(401);
    const genuine = await post(await signedCallback(claims, fixture.auditorKey));
    expect(genuine.statusCode, genuine.body).toBe(200);
    expect(genuine.json().outcome).toBe('applied');
  });

  it('refuses a callback for another audience with 401', async () => {
    await changesNothing(1, async () => {
      const problem = expectProblem(await post(await signedCallback(postureClaims({ aud: 'someone-else' }), fixture.auditorKey)), 401, 'body');
      expect(problem.detail).toMatch(/aud/);
    });
  });

  it('refuses a callback from another issuer with 401', async () => {
    await changesNothing(1, async () => {
      expectProblem(await post(await signedCallback(postureClaims({ iss: 'someone-else' }), fixture.auditorKey)), 401, 'body');
    });
  });

  it('refuses a token of another typ (e.g. a receipt) with 401', async () => {
    await changesNothing(1, async () => {
      const problem = expectProblem(await post(await signedCallback(postureClaims(), fixture.auditorKey, 'cabc-receipt+jwt')), 401, 'body');
      expect(problem.detail).toMatch(/typ/);
    });
  });

  it('refuses a callback older than the accepted age with 401', async () => {
    const eightDaysAgo = Math.floor(Date.now() / 1000) - 8 * 86_400;
    await changesNothing(1, async () => {
      expectProblem(await post(await signedCallback(postureClaims({ iat: eightDaysAgo }), fixture.auditorKey)), 401, 'body');
    });
  });

  it('refuses verified claims without a toe with 422 naming claims.toe', async () => {
    const { toe: _toe, ...claims } = postureClaims();
    await changesNothing(1, async () => {
      const problem = expectProblem(await post(await signedCallback(claims, fixture.auditorKey)), 422, 'claims.toe');
      expect(problem.type).toBe('https://cabc.dev/problems/invalid-callback');
    });
  });

  it('refuses verified claims without a scope version (missing or null) with 422 naming claims.scopeVersion', async () => {
    const { scopeVersion: _scopeVersion, ...unversioned } = postureClaims({ toe: 'toe-unversioned' });
    await auditor(fixture).approve('toe-unversioned');
    await changesNothing(2, async () => {
      for (const claims of [unversioned, { ...unversioned, scopeVersion: null }]) {
        const problem = expectProblem(await post(await signedCallback(claims, fixture.auditorKey)), 422, 'claims.scopeVersion');
        expect(problem.type).toBe('https://cabc.dev/problems/invalid-callback');
      }
    });
  });

  it('refuses a posture for a ToE without an open certification of its scope version with 422 unknown-certification', async () => {
    await auditor(fixture).approve('toe-other-version', 2);
    await changesNothing(2, async () => {
      for (const claims of [postureClaims({ toe: 'toe-never-approved' }), postureClaims({ toe: 'toe-other-version', scopeVersion: 1 })]) {
        const problem = expectProblem(await post(await signedCallback(claims, fixture.auditorKey)), 422, 'claims.scopeVersion');
        expect(problem.type).toBe('https://cabc.dev/problems/unknown-certification');
      }
    });
  });

  it('refuses verified claims with an unknown posture with 422 naming claims.posture', async () => {
    await changesNothing(1, async () => {
      expectProblem(await post(await signedCallback({ ...postureClaims(), posture: 'great' }, fixture.auditorKey)), 422, 'claims.posture');
    });
  });

  it('refuses a body over the configured limit with 413', async () => {
    const changes = Array.from({ length: 20 }, (_, index) => ({
      requirementId: `REQ-${index}`,
      status: 'compliant' as const,
      previousStatus: null,
      reason: 'x'.repeat(1000),
      evidenceIds: [],
    }));
    await changesNothing(0, async () => {
      expectProblem(await post(await signedCallback(postureClaims({ changes }), fixture.auditorKey)), 413, 'body');
    });
  });
});

describe('certification body callbacks: replays and order', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp();
    for (const toe of ['toe-replay', 'toe-out-of-order']) await auditor(fixture).approve(toe);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const post = (token: string) =>
    fixture.app.inject({ method: 'POST', url: '/v1/callbacks/assessment', headers: { 'content-type': 'application/jose' }, payload: token });
  const certificationOf = async (toe: string) =>
    (await fixture.infra.db.selectFrom('certifications').select(['decision_state', 'updated_at']).where('toe', '=', toe).executeTakeFirstOrThrow()) as {
      decision_state: unknown;
      updated_at: Date;
    };

  it('answers a replayed callback (same jti) with duplicate and changes nothing', async () => {
    const token = await signedCallback(postureClaims({ toe: 'toe-replay', sequence: 1 }), fixture.auditorKey);
    const first = await post(token);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'applied', state: 'issued', certificateId: expect.any(String) });
    const before = await fixture.counts();
    const certificationBefore = await certificationOf('toe-replay');

    const replay = await post(token);
    expect(replay.statusCode, replay.body).toBe(200);
    expect(replay.json()).toMatchObject({ outcome: 'duplicate', jti: first.json().jti });
    expect(await fixture.counts()).toEqual(before);
    expect(await certificationOf('toe-replay')).toEqual(certificationBefore);
  });

  it('answers a callback older than the applied sequence with stale and keeps the certificate', async () => {
    const toe = 'toe-out-of-order';
    const second = await post(await signedCallback(postureClaims({ toe, sequence: 2, posture: 'compliant' }), fixture.auditorKey));
    expect(second.json()).toMatchObject({ outcome: 'applied', state: 'issued' });
    const eventsBefore = (await fixture.counts()).certificateEvents;

    const first = await post(await signedCallback(postureClaims({ toe, sequence: 1, posture: 'non_compliant', criticalFailed: true }), fixture.auditorKey));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'stale', state: 'issued', certificateId: second.json().certificateId });
    expect((await fixture.counts()).certificateEvents).toBe(eventsBefore);

    const records = await fixture.receivedCallbacks();
    expect(records.at(-1)).toMatchObject({ jti: first.json().jti, toe, outcome: 'stale' });
  });
});
