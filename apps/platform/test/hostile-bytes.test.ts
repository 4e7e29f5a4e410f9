import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, waitFor } from '@cabc/testing';
import { certifyToe, type CertifiedToe, type ServiceKey } from '../src/index.ts';
import { performanceEvidence, startTestPlatform } from './platform-fixture.ts';

const BODY_LIMIT = 65_536;
const robustnessFile = path.resolve(
  import.meta.dirname,
  '../../../packages/adapters/test/fixtures/cabc-robustness.json',
);

/** A fetch answer in the shape expectProblem reads. */
async function answer(response: Response) {
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/** One raw HTTP/1.1 exchange, so that what fetch would refuse to send (oversized headers) reaches the server. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => (chunks.length > 0 ? resolve(Buffer.concat(chunks).toString()) : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe('hostile bytes are refused at the edge with problem+json naming the field, and nothing is stored', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let toe: CertifiedToe;
  const clients: Partial<Record<ServiceKey, pg.Client>> = {};
  beforeAll(async () => {
    const limit = { BODY_LIMIT_BYTES: String(BODY_LIMIT) };
    platform = await startTestPlatform({ env: { collector: limit, assessment: limit, certificationBody: limit } });
    toe = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
    for (const key of ['collector', 'assessment', 'certificationBody'] as const) {
      clients[key] = new pg.Client({ connectionString: platform.databaseUrls[key] });
      await clients[key].connect();
    }
    // The approval's consequences (scope decision delivered, first evaluation) settle before the refusals are counted.
    let previous = '';
    await waitFor(
      'the platform at rest after the approval',
      async () => {
        const rows = await allRows();
        const now = JSON.stringify(rows);
        const settled = rows['certificationBody.scope_decisions'] === 1 && now === previous;
        previous = now;
        return settled || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) await client.end();
    await platform?.dispose();
  });

  /** Rows of every table of every service: a refusal leaves all of them as they were. */
  const allRows = async () => {
    const counts: Record<string, number> = {};
    for (const [key, client] of Object.entries(clients)) {
      const tables = await client.query<{ name: string }>(
        `select quote_ident(tablename) as name from pg_tables where schemaname = 'public' and tablename not like 'kysely%'`,
      );
      for (const { name } of tables.rows)
        counts[`${key}.${name}`] = (await client.query<{ n: number }>(`select count(*)::int as n from ${name}`))
          .rows[0]!.n;
    }
    return counts;
  };
  const refused = async (send: () => Promise<Response>, status: number, field: string) => {
    const before = await allRows();
    const problem = expectProblem(await answer(await send()), status, field);
    expect(await allRows()).toEqual(before);
    return problem;
  };
  const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${toe.tokens.pipeline}`, ...headers },
      body,
    });
  const unified = (mutate: (text: string) => string) => mutate(JSON.stringify(performanceEvidence(toe.toeId, 0.95)));

  it('collector: a NUL character in a string → 400 naming it', async () => {
    const body = unified((text) => text.replace('"pytest-eval"', '"pytest\\u0000eval"'));
    await refused(() => post(`${platform.urls.collector}/v1/evidence`, body), 400, 'producer.tool');
  });

  it('collector: a lone surrogate in a string → 400 naming it', async () => {
    const body = unified((text) => text.replace('"holdout"', '"hold\\ud800out"'));
    await refused(() => post(`${platform.urls.collector}/v1/evidence`, body), 400, 'context.dataset');
  });

  it('collector: invalid UTF-8 bytes → 400 naming the body', async () => {
    const [head, tail] = unified((text) => text).split('holdout') as [string, string];
    const body = Buffer.concat([Buffer.from(head), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(tail)]);
    await refused(() => post(`${platform.urls.collector}/v1/evidence`, body), 400, 'body');
  });

  it('collector: a NUL in a query parameter → 400 naming it', async () => {
    await refused(
      () =>
        post(
          `${platform.urls.collector}/v1/evidence?toe=${toe.toeId}&filename=a%00b.json`,
          readFileSync(robustnessFile),
        ),
      400,
      'query:filename',
    );
  });

  it('collector: a tool output holding a NUL in a string → 422 naming the statement field (the file is not half-stored)', async () => {
    const text = readFileSync(robustnessFile, 'utf8').replace('"fgsm"', '"fg\\u0000sm"');
    const problem = await refused(
      () => post(`${platform.urls.collector}/v1/evidence?toe=${toe.toeId}`, text),
      422,
      'predicate.measurements.2.slice',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/unstorable-text');
  });

  it('assessment: a NUL, a lone surrogate and invalid UTF-8 in a JSON body → 400 naming the field', async () => {
    const toes = `${platform.urls.assessment}/v1/toes`;
    const auth = { authorization: `Bearer ${toe.tokens.auditee}` };
    const input = (name: string) =>
      `{"name":"${name}","businessPurpose":"p","fieldOfOperation":"f","riskClass":"high","owner":"o"}`;
    await refused(() => post(toes, input('a\\u0000b'), auth), 400, 'name');
    await refused(() => post(toes, input('a\\udc00b'), auth), 400, 'name');
    await refused(() => post(toes, Buffer.concat([Buffer.from(input('a')), Buffer.from([0xfe])]), auth), 400, 'body');
  });

  it('assessment: a path integer above 2^31−1 → 400 naming it, not 500', async () => {
    const url = `${platform.urls.assessment}/v1/toes/${toe.toeId}/scopes/2147483648`;
    await refused(
      () => fetch(url, { headers: { authorization: `Bearer ${toe.tokens.auditor}` } }),
      400,
      'path:version',
    );
  });

  it('assessment: a signed statement holding a NUL → 422 naming the payload field', async () => {
    const statement = { predicate: { toe: toe.toeId, kind: 'performance\u0000' } };
    const envelope = JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [{ keyid: 'k', sig: 'c2ln' }],
    });
    await refused(() => post(`${platform.urls.assessment}/v1/evidence`, envelope), 422, 'payload.predicate.kind');
  });

  it.each(['collector', 'assessment', 'certificationBody'] as const)(
    '%s: headers over the limit → 431 problem+json naming the header',
    async (service) => {
      const before = await allRows();
      const raw = await rawExchange(
        platform.urls[service],
        `GET /readyz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(40_000)}\r\n\r\n`,
      );
      const [head, body] = raw.split('\r\n\r\n') as [string, string];
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status: 431, errors: [{ field: 'header' }] });
      expect(await allRows()).toEqual(before);
    },
  );

  it.each([
    ['collector', '/v1/evidence'],
    ['assessment', '/v1/toes'],
    ['certificationBody', '/v1/callbacks/assessment'],
  ] as const)('%s: a body over the limit → 413 problem+json naming the body', async (service, route) => {
    const contentType = service === 'certificationBody' ? 'application/jose' : 'application/json';
    const token = service === 'assessment' ? toe.tokens.auditee : toe.tokens.pipeline;
    const headers = { 'content-type': contentType, authorization: `Bearer ${token}` };
    await refused(
      () => post(`${platform.urls[service]}${route}`, `"${'x'.repeat(BODY_LIMIT + 10)}"`, headers),
      413,
      'body',
    );
  });
});
