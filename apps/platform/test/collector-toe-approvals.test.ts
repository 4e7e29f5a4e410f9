import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, signJwt } from '@cabc/crypto';
import { expectProblem } from '@cabc/testing';
import { certifyToe } from '../src/index.ts';
import { performanceEvidence, startTestPlatform } from './platform-fixture.ts';

/** A fetch answer in the shape expectProblem reads. */
async function answer(response: Response) {
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

describe('the collector learns from the assessment which ToEs its keys are approved for', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let collectorDb: pg.Client;
  beforeAll(async () => {
    platform = await startTestPlatform();
    collectorDb = new pg.Client({ connectionString: platform.databaseUrls.collector });
    await collectorDb.connect();
  });
  afterAll(async () => {
    await collectorDb?.end();
    await platform?.dispose();
  });

  const stored = async () =>
    (
      await collectorDb.query<{ n: number }>(
        'select (select count(*) from evidence)::int + (select count(*) from outbox)::int + (select count(*) from submissions)::int as n',
      )
    ).rows[0]!.n;
  const push = async (toe: string, token: string) =>
    answer(
      await fetch(`${platform.urls.collector}/v1/evidence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(performanceEvidence(toe, 0.95)),
      }),
    );
  const askAssessment = async (tokens: string[]) =>
    fetch(`${platform.urls.assessment}/v1/collector-approvals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tokens }),
    });

  it('accepts evidence for a ToE approved a moment ago, and refuses any other ToE at once with 422 naming toe, storing nothing', async () => {
    const first = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
    expect((await push(first.toeId, first.tokens.pipeline)).statusCode).toBe(201);

    const before = await stored();
    const refused = expectProblem(await push('toe_00000000000000000000', first.tokens.pipeline), 422, 'toe');
    expect(refused.type).toBe('https://cabc.dev/problems/toe-not-approved');
    expect(await stored()).toBe(before);

    // Approved after the collector cached its list: the miss asks again, so it is accepted at once.
    const second = await certifyToe(platform, { org: 'acme', name: 'fraud-detection' });
    expect((await push(second.toeId, second.tokens.pipeline)).statusCode).toBe(201);
  });

  it('refuses a native file for an unknown ToE with 422 naming query:toe', async () => {
    const token = await platform.token('pipeline', 'acme');
    const before = await stored();
    const response = await fetch(`${platform.urls.collector}/v1/evidence?toe=toe_11111111111111111111`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ metrics: { accuracy: 0.9 } }),
    });
    expectProblem(await answer(response), 422, 'query:toe');
    expect(await stored()).toBe(before);
  });

  it('answers the approvals route only to the keys a scope lists, and 401 alike for unknown keys and bad signatures', async () => {
    const stranger = await generateSigningKey();
    const iat = Math.floor(Date.now() / 1000);
    const claims = { aud: 'cabc-assessment', iat, exp: iat + 60, jti: randomUUID() };
    const unknown = await signJwt(claims, stranger, { typ: 'cabc-collector-approvals+jwt' });
    const unknownAnswer = await askAssessment([unknown]);
    expect(unknownAnswer.status).toBe(401);
    const unknownBody = (await unknownAnswer.json()) as { detail: string };
    expect(unknownBody).not.toHaveProperty('toes');

    // A token claiming the collector's key id but signed by another key: the same 401, nothing more.
    const { keys } = (await (await fetch(`${platform.urls.collector}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const forged = await signJwt(
      claims,
      { kid: keys[0]!.kid, privateKey: stranger.privateKey },
      {
        typ: 'cabc-collector-approvals+jwt',
      },
    );
    const forgedAnswer = await askAssessment([forged]);
    expect(forgedAnswer.status).toBe(401);
    expect(((await forgedAnswer.json()) as { detail: string }).detail).toBe(unknownBody.detail);

    expectProblem(await answer(await askAssessment([])), 400, 'tokens');
  });
});
