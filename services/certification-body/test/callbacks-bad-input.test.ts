import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceKey, generateSigningKey, type SigningKey } from '@cabc/crypto';
import { expectProblem, waitFor } from '@cabc/testing';
import {
  postCallback,
  postureClaims,
  scopeClaims,
  signedCallback,
  signedScopeDecision,
  startCertificationApp,
  type CertificationFixture,
} from './support/certification-app.ts';
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
    fixture.app.inject({
      method: 'POST',
      url: '/v1/callbacks/assessment',
      headers: { 'content-type': contentType },
      payload,
    });

  /** Runs `act` and asserts it added no certification state, and exactly `refusals` records with that outcome. */
  async function changesNothing(refusals: number, act: () => Promise<void>, outcome = 'refused') {
    const before = await fixture.counts();
    const recordedBefore = (await fixture.receivedCallbacks()).length;
    await act();
    expect(await fixture.counts()).toEqual({ ...before, receivedCallbacks: before.receivedCallbacks + refusals });
    const added = (await fixture.receivedCallbacks()).slice(recordedBefore);
    for (const record of added) expect(record).toMatchObject({ jti: null, outcome });
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

  it('answers a callback whose key id is not in the auditor JWKS with 503 (the key may not be published yet), applies nothing and records it', async () => {
    const stranger = await generateSigningKey();
    const claims = postureClaims({ toe: 'toe-forged' });
    const [record] = await changesNothing(
      1,
      async () => {
        const problem = expectProblem(await post(await signedCallback(claims, stranger)), 503);
        expect(problem.type).toBe('https://cabc.dev/problems/callback-key-unavailable');
        expect(problem.detail).toContain('no applicable key found in the JSON Web Key Set');
      },
      'unavailable',
    );
    expect(record!.toe).toBeNull();
    expect(record!.detail).toContain(claims.jti);
  });

  it('refuses a forgery that claims the auditor key id with 401 and records the refusal', async () => {
    const forger = await generateSigningKey();
    const claims = postureClaims({ toe: 'toe-forged' });
    const [record] = await changesNothing(1, async () => {
      const problem = expectProblem(
        await post(await signedCallback(claims, { ...forger, kid: fixture.auditorKey.kid })),
        401,
        'body',
      );
      expect(problem.type).toBe('https://cabc.dev/problems/invalid-callback-signature');
    });
    expect(record!.toe).toBeNull();
    expect(record!.detail).toContain(claims.jti);
  });

  it('does not let a forgery with a real jti block the genuine callback', async () => {
    const forger = await generateSigningKey();
    const claims = postureClaims({ toe: 'toe-jti-squatting' });
    await auditor(fixture).approve(claims.toe);
    expect((await post(await signedCallback(claims, forger))).statusCode).toBe(503);
    expect((await post(await signedCallback(claims, { ...forger, kid: fixture.auditorKey.kid }))).statusCode).toBe(401);
    const genuine = await post(await signedCallback(claims, fixture.auditorKey));
    expect(genuine.statusCode, genuine.body).toBe(200);
    expect(genuine.json().outcome).toBe('applied');
  });

  it('refuses a callback for another audience with 401', async () => {
    await changesNothing(1, async () => {
      const problem = expectProblem(
        await post(await signedCallback(postureClaims({ aud: 'someone-else' }), fixture.auditorKey)),
        401,
        'body',
      );
      expect(problem.detail).toMatch(/aud/);
    });
  });

  it('refuses a callback from another issuer with 401', async () => {
    await changesNothing(1, async () => {
      expectProblem(
        await post(await signedCallback(postureClaims({ iss: 'someone-else' }), fixture.auditorKey)),
        401,
        'body',
      );
    });
  });

  it('refuses a token of another typ (e.g. a receipt) with 401', async () => {
    await changesNothing(1, async () => {
      const problem = expectProblem(
        await post(await signedCallback(postureClaims(), fixture.auditorKey, 'cabc-receipt+jwt')),
        401,
        'body',
      );
      expect(problem.detail).toMatch(/typ/);
    });
  });

  it('refuses a callback older than the accepted age, or signed ahead of the clock tolerance, with a retryable 503', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const iat of [nowSeconds - 8 * 86_400, nowSeconds + 10 * 60]) {
      await changesNothing(1, async () => {
        const problem = expectProblem(
          await post(await signedCallback(postureClaims({ iat }), fixture.auditorKey)),
          503,
          'claims.iat',
        );
        // Not a permanent refusal: the auditor signs again at every attempt, so the next one is fresh.
        expect(problem.type).toBe('https://cabc.dev/problems/callback-not-fresh');
      }, 'unavailable');
    }
  });

  it('accepts a callback signed by a clock ahead within CALLBACK_CLOCK_TOLERANCE', async () => {
    await auditor(fixture).approve('toe-clock-ahead');
    const ahead = Math.floor(Date.now() / 1000) + 20;
    const response = await post(
      await signedCallback(postureClaims({ toe: 'toe-clock-ahead', iat: ahead }), fixture.auditorKey),
    );
    expect(response.statusCode, response.body).toBe(200);
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
        const problem = expectProblem(
          await post(await signedCallback(claims, fixture.auditorKey)),
          422,
          'claims.scopeVersion',
        );
        expect(problem.type).toBe('https://cabc.dev/problems/invalid-callback');
      }
    });
  });

  it('refuses a posture for a ToE without an open certification of its scope version with 422 unknown-certification', async () => {
    await auditor(fixture).approve('toe-other-version', 2);
    await changesNothing(2, async () => {
      for (const claims of [
        postureClaims({ toe: 'toe-never-approved' }),
        postureClaims({ toe: 'toe-other-version', scopeVersion: 1 }),
      ]) {
        const problem = expectProblem(
          await post(await signedCallback(claims, fixture.auditorKey)),
          422,
          'claims.scopeVersion',
        );
        expect(problem.type).toBe('https://cabc.dev/problems/unknown-certification');
      }
    });
  });

  it('refuses verified claims with an unknown posture with 422 naming claims.posture', async () => {
    await changesNothing(1, async () => {
      expectProblem(
        await post(await signedCallback({ ...postureClaims(), posture: 'great' }, fixture.auditorKey)),
        422,
        'claims.posture',
      );
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
    fixture.app.inject({
      method: 'POST',
      url: '/v1/callbacks/assessment',
      headers: { 'content-type': 'application/jose' },
      payload: token,
    });
  const certificationOf = async (toe: string) =>
    (await fixture.infra.db
      .selectFrom('certifications')
      .select(['decision_state', 'updated_at'])
      .where('toe', '=', toe)
      .executeTakeFirstOrThrow()) as {
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
    const second = await post(
      await signedCallback(postureClaims({ toe, sequence: 2, posture: 'compliant' }), fixture.auditorKey),
    );
    expect(second.json()).toMatchObject({ outcome: 'applied', state: 'issued' });
    const eventsBefore = (await fixture.counts()).certificateEvents;

    const first = await post(
      await signedCallback(
        postureClaims({ toe, sequence: 1, posture: 'non_compliant', criticalFailed: true }),
        fixture.auditorKey,
      ),
    );
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      outcome: 'stale',
      state: 'issued',
      certificateId: second.json().certificateId,
    });
    expect((await fixture.counts()).certificateEvents).toBe(eventsBefore);

    const records = await fixture.receivedCallbacks();
    expect(records.at(-1)).toMatchObject({ jti: first.json().jti, toe, outcome: 'stale' });
  });
});

/** The auditor's JWKS endpoint, as the certification body fetches it: it can be down, fail, hang, or serve keys. */
async function startJwksServer() {
  let mode: 'serve' | 'fail' | 'hang' = 'serve';
  let keys: SigningKey[] = [];
  let announcements: string[] = [];
  const server = http.createServer((_request, response) => {
    if (mode === 'hang') return;
    if (mode === 'fail') return void response.writeHead(500, { connection: 'close' }).end('upstream trouble');
    response
      .writeHead(200, { 'content-type': 'application/json', connection: 'close' })
      .end(JSON.stringify({ keys: keys.map((key) => key.publicJwk), announcements }));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    stop,
    start: async () => (server.listening ? port : listen(port)),
    set(next: { mode?: typeof mode; keys?: SigningKey[]; announcements?: string[] }) {
      mode = next.mode ?? mode;
      keys = next.keys ?? keys;
      announcements = next.announcements ?? announcements;
    },
  };
}

describe('certification body callbacks while the auditor key set cannot be had (AUDITOR_JWKS_URL)', () => {
  let fixture: CertificationFixture;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  beforeAll(async () => {
    jwks = await startJwksServer();
    await jwks.stop();
    // About key sets only: the ledger cross-check (on beside a JWKS URL) has tests of its own.
    fixture = await startCertificationApp({ env: { AUDITOR_JWKS_URL: jwks.url, AUDITOR_LEDGER_CHECK: 'false' } });
    jwks.set({ keys: [fixture.auditorKey] });
  });
  afterAll(async () => {
    await fixture?.dispose();
    await jwks?.stop();
  });

  /** Answers 503 retryable problem+json, applies nothing, and records the attempt as unavailable (never under its jti). */
  async function unavailable(route: 'assessment' | 'scope', token: string, reason: RegExp) {
    const before = await fixture.counts();
    const response = await postCallback(fixture.app, route, token);
    const problem = expectProblem(response, 503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem.type).toBe('https://cabc.dev/problems/callback-key-unavailable');
    expect(problem.detail).toMatch(reason);
    expect(await fixture.counts()).toEqual({ ...before, receivedCallbacks: before.receivedCallbacks + 1 });
    expect((await fixture.receivedCallbacks()).at(-1)).toMatchObject({ jti: null, toe: null, outcome: 'unavailable' });
  }

  it('answers 503 while the key set is unreachable, failing or silent, and applies the same message once it answers', {
    timeout: 30_000,
  }, async () => {
    const approval = await signedScopeDecision(scopeClaims({ toe: 'toe-jwks' }), fixture.auditorKey);
    await unavailable('scope', approval, /fetch failed/);
    await jwks.start();
    jwks.set({ mode: 'fail' });
    await unavailable('scope', approval, /Expected 200 OK/);
    jwks.set({ mode: 'hang' });
    await unavailable('scope', approval, /timed out/);
    jwks.set({ mode: 'serve' });
    const applied = await postCallback(fixture.app, 'scope', approval);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ outcome: 'applied', state: 'none' });
  });

  it('answers 503 for a key id the set does not have yet, 401 for a bad signature, and applies the message once the rotated key is published', {
    timeout: 30_000,
  }, async () => {
    const rotated = await generateSigningKey();
    const posture = await signedCallback(postureClaims({ toe: 'toe-jwks' }), rotated);
    await unavailable('assessment', posture, /no applicable key found/);
    const forged = expectProblem(
      await postCallback(
        fixture.app,
        'assessment',
        await signedCallback(postureClaims({ toe: 'toe-jwks' }), { ...rotated, kid: fixture.auditorKey.kid }),
      ),
      401,
      'body',
    );
    expect(forged.type).toBe('https://cabc.dev/problems/invalid-callback-signature');
    expect((await fixture.counts()).certificates).toBe(0);

    // The auditor publishes its new key, announced by the old one; its outbox retries the same message until the key
    // set has been fetched again.
    jwks.set({
      keys: [fixture.auditorKey, rotated],
      announcements: [await announceKey(rotated, fixture.auditorKey, 'assessment')],
    });
    const applied = await waitFor(
      'the posture accepted after the key set was refreshed',
      async () => {
        const response = await postCallback(fixture.app, 'assessment', posture);
        if (response.statusCode === 503) return undefined;
        expect(response.statusCode, response.body).toBe(200);
        return response.json();
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    expect(applied).toMatchObject({ outcome: 'applied', state: 'issued' });
  });

  it('refuses a key published without an announcement by a trusted key (planted in the auditor key set)', {
    timeout: 30_000,
  }, async () => {
    const planted = await generateSigningKey();
    const stranger = await generateSigningKey();
    await jwks.start();
    jwks.set({
      mode: 'serve',
      keys: [fixture.auditorKey, planted, stranger],
      // An announcement of the planted key exists, but by a key nobody trusts.
      announcements: [await announceKey(planted, stranger, 'assessment')],
    });
    const posture = await signedCallback(postureClaims({ toe: 'toe-planted', sequence: 1 }), planted);
    // Long past the key set's cooldown: the set was fetched again and the planted key is in it, still refused.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await unavailable('assessment', posture, /no trusted key announced it/);
    await unavailable('assessment', posture, /no trusted key announced it/);
  });
});
