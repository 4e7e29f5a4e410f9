import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { expectProblem } from '@cabc/testing';
import {
  bearer,
  postCallback,
  postureClaims,
  scopeClaims,
  signedCallback,
  signedScopeDecision,
  startCertificationApp,
  type CertificationFixture,
} from './support/certification-app.ts';

describe('certification body POST /v1/callbacks/scope refuses what it cannot verify', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const scopeState = async () => {
    const { rows } = await sql<{ certifications: number; decisions: number; refused: number }>`
      select (select count(*) from certifications)::int as certifications,
             (select count(*) from scope_decisions)::int as decisions,
             (select count(*) from received_callbacks where kind = 'scope' and outcome = 'refused')::int as refused`.execute(
      fixture.infra.db,
    );
    return rows[0]!;
  };

  /** Asserts `act` opened nothing, recorded no decision and recorded exactly one refusal. */
  async function refusedAndRecorded(act: () => Promise<void>) {
    const before = await scopeState();
    await act();
    expect(await scopeState()).toEqual({ ...before, refused: before.refused + 1 });
  }

  it('answers a decision signed by a key outside the auditor JWKS with 503 (retry later) and applies nothing', async () => {
    const stranger = await generateSigningKey();
    const before = await scopeState();
    const problem = expectProblem(
      await postCallback(fixture.app, 'scope', await signedScopeDecision(scopeClaims({ toe: 'toe-forged' }), stranger)),
      503,
    );
    expect(problem.type).toBe('https://cabc.dev/problems/callback-key-unavailable');
    expect(await scopeState()).toEqual(before);
    const { rows } = await sql<{
      outcome: string;
      jti: string | null;
    }>`select outcome, jti from received_callbacks order by id desc limit 1`.execute(fixture.infra.db);
    expect(rows).toEqual([{ outcome: 'unavailable', jti: null }]);
  });

  it('refuses a forgery that claims the auditor key id (401)', async () => {
    const forger = await generateSigningKey();
    await refusedAndRecorded(async () => {
      expectProblem(
        await postCallback(
          fixture.app,
          'scope',
          await signedScopeDecision(scopeClaims(), { ...forger, kid: fixture.auditorKey.kid }),
        ),
        401,
        'body',
      );
    });
  });

  it('refuses a decision too old with a retryable 503 (the auditor signs each attempt anew)', async () => {
    const before = await scopeState();
    const claims = scopeClaims({ iat: Math.floor(Date.now() / 1000) - 8 * 86_400 });
    const problem = expectProblem(
      await postCallback(fixture.app, 'scope', await signedScopeDecision(claims, fixture.auditorKey)),
      503,
      'claims.iat',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/callback-not-fresh');
    expect(await scopeState()).toEqual(before);
  });

  it('refuses a decision for another audience or from another issuer (401)', async () => {
    for (const claims of [scopeClaims({ aud: 'another-certification-body' }), scopeClaims({ iss: 'someone-else' })]) {
      await refusedAndRecorded(async () => {
        expectProblem(
          await postCallback(fixture.app, 'scope', await signedScopeDecision(claims, fixture.auditorKey)),
          401,
          'body',
        );
      });
    }
  });

  it('refuses a posture callback sent to the scope route and a scope decision sent to the posture route (typ, 401)', async () => {
    await refusedAndRecorded(async () => {
      const problem = expectProblem(
        await postCallback(fixture.app, 'scope', await signedCallback(postureClaims(), fixture.auditorKey)),
        401,
        'body',
      );
      expect(problem.detail).toMatch(/typ/);
    });
    const onPosture = await postCallback(
      fixture.app,
      'assessment',
      await signedScopeDecision(scopeClaims(), fixture.auditorKey),
    );
    expect(expectProblem(onPosture, 401, 'body').detail).toMatch(/typ/);
  });

  it('refuses verified claims that are not a scope decision (422 naming the claim)', async () => {
    await refusedAndRecorded(async () => {
      expectProblem(
        await postCallback(
          fixture.app,
          'scope',
          await signedScopeDecision({ ...scopeClaims(), scopeDigest: 'sha256:abc' }, fixture.auditorKey),
        ),
        422,
        'claims.scopeDigest',
      );
    });
    await refusedAndRecorded(async () => {
      expectProblem(
        await postCallback(
          fixture.app,
          'scope',
          await signedScopeDecision({ ...scopeClaims(), type: 'scope.deleted' }, fixture.auditorKey),
        ),
        422,
        'claims.type',
      );
    });
    await refusedAndRecorded(async () => {
      const { org: _org, ...withoutOrg } = scopeClaims();
      expectProblem(
        await postCallback(fixture.app, 'scope', await signedScopeDecision(withoutOrg, fixture.auditorKey)),
        422,
        'claims.org',
      );
    });
  });

  it('refuses a body that is not a compact JWS (400) or not application/jose (415)', async () => {
    expectProblem(await postCallback(fixture.app, 'scope', 'approve please'), 400, 'body');
    const json = await fixture.app.inject({
      method: 'POST',
      url: '/v1/callbacks/scope',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expectProblem(json, 415, 'header:content-type');
  });

  it('answers a replayed decision (same jti) with duplicate and changes nothing', async () => {
    const token = await signedScopeDecision(scopeClaims({ toe: 'toe-replayed-scope' }), fixture.auditorKey);
    const first = await postCallback(fixture.app, 'scope', token);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'applied', state: 'none' });
    const before = await scopeState();
    const replay = await postCallback(fixture.app, 'scope', token);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ outcome: 'duplicate', jti: first.json().jti });
    expect(await scopeState()).toEqual(before);
  });

  it('lists to the operators of an organization what was received about its ToEs, refusals included, and nothing else', async () => {
    const list = async (query: string, org: string) => {
      const response = await fixture.app.inject({
        method: 'GET',
        url: `/v1/received-callbacks${query}`,
        headers: await bearer('certification_body', org),
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().items as {
        kind: string;
        toe: string | null;
        outcome: string;
        jti: string | null;
        detail: string;
      }[];
    };
    // acme's ToE (approved above) gets a posture refused for naming a scope version that is not open; globex one of its own.
    const refusedPosture = await postCallback(
      fixture.app,
      'assessment',
      await signedCallback(postureClaims({ toe: 'toe-replayed-scope', scopeVersion: 2 }), fixture.auditorKey),
    );
    expectProblem(refusedPosture, 422, 'claims.scopeVersion');
    const globex = await postCallback(
      fixture.app,
      'scope',
      await signedScopeDecision(scopeClaims({ toe: 'toe-globex-scope', org: 'globex' }), fixture.auditorKey),
    );
    expect(globex.statusCode, globex.body).toBe(200);

    expect((await list('', 'acme')).map((item) => `${item.kind}:${item.toe}:${item.outcome}`)).toEqual([
      'posture:toe-replayed-scope:refused',
      'scope:toe-replayed-scope:applied',
    ]);
    expect(await list('?kind=posture&outcome=refused', 'acme')).toEqual([
      expect.objectContaining({
        kind: 'posture',
        toe: 'toe-replayed-scope',
        outcome: 'refused',
        jti: null,
        detail: expect.stringContaining('no open certification'),
      }),
    ]);
    expect((await list('', 'globex')).map((item) => `${item.kind}:${item.toe}:${item.outcome}`)).toEqual([
      'scope:toe-globex-scope:applied',
    ]);
    expect(await list('?toe=toe-replayed-scope', 'globex')).toEqual([]);
    // Refusals that name no verified ToE (forgeries, claims that are not a decision) are kept, but listed to nobody.
    expect((await scopeState()).refused).toBeGreaterThanOrEqual(7);
    for (const org of ['acme', 'globex', 'cb']) expect(await list('?kind=scope&outcome=refused', org)).toEqual([]);
    expectProblem(
      await fixture.app.inject({
        method: 'GET',
        url: '/v1/received-callbacks',
        headers: await bearer('auditee', 'acme'),
      }),
      403,
    );
  });
});
