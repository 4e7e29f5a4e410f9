import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_TOTO_PAYLOAD_TYPE } from '@cabc/contracts';
import { generateSigningKey } from '@cabc/crypto';
import { databaseUrlFor } from '@cabc/service-kit';
import { call, toeInput } from './support/api.ts';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';
import { accuracyScope } from './support/seed.ts';

const PROBLEM = 'application/problem+json';

// Attacks of issue 12 item 4, each refused before the work it would cost: an expensive CEL rule, an envelope
// without keyid, an oversize batch, a flood per address and per ToE.
describe('limits before work at the assessment service', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp({
      env: {
        EVIDENCE_BATCH_MAX: '3',
        EVIDENCE_RATE_LIMIT_PER_ADDRESS: '4',
        EVIDENCE_RATE_LIMIT_PER_TOE: '3',
        EVIDENCE_RATE_LIMIT_WINDOW: '1m',
      },
    });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  let addresses = 0;
  /** Each test sends from its own client address, so the per-address limit of one does not reach the next. */
  const client = () => {
    addresses += 1;
    const remoteAddress = `10.0.0.${addresses}`;
    return (url: string, payload: string) =>
      fixture.app.inject({
        method: 'POST',
        url,
        remoteAddress,
        headers: { 'content-type': 'application/json' },
        payload,
      });
  };

  /** Runs `work` while the service cannot reach its database: anything that needs it would answer 5xx. */
  async function withoutDatabase<T>(work: () => Promise<T>): Promise<T> {
    const admin = new pg.Client({ connectionString: databaseUrlFor(process.env.DATABASE_URL ?? '', 'postgres') });
    await admin.connect();
    const name = fixture.databaseName;
    try {
      await admin.query(`alter database "${name}" allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      return await work();
    } finally {
      await admin.query(`alter database "${name}" allow_connections true`);
      await admin.end();
    }
  }

  it('refuses a scope whose CEL rule is estimated too expensive, naming the expression and the estimate', async () => {
    const auditee = await fixture.token('auditee');
    const created = await call(fixture.app, 'POST', '/v1/toes', auditee, toeInput('toe-expensive-cel'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const document = accuracyScope([fixture.collectorKey]);
    const [requirement] = document.requirements;
    document.requirements = [
      {
        ...requirement!,
        rule: {
          type: 'expression',
          kinds: ['performance'],
          expression:
            'history.performance.all(a, history.performance.all(b, history.performance.all(c, ' +
            'a.measurements.all(m, m.value != b.metrics.accuracy))))',
        },
      },
    ];
    const answer = await call(fixture.app, 'POST', `/v1/toes/${created.body.id}/scopes`, auditee, { document });
    expect(answer.status).toBe(422);
    expect(answer.contentType).toContain(PROBLEM);
    expect(answer.body.errors).toEqual([
      {
        field: 'requirements.0.rule.expression',
        message: expect.stringMatching(/estimated cost is \d+, over the limit of 1000000/),
      },
    ]);
    const versions = await call(fixture.app, 'GET', `/v1/toes/${created.body.id}/scopes`, auditee);
    expect(versions.body.items ?? versions.body).toEqual([]);
  });

  it('refuses an envelope without keyid with 400 before any database work, storing nothing', async () => {
    const before = await fixture.counts();
    const unnamed = JSON.parse(signedEnvelope(evidenceStatement(), fixture.collectorKey));
    delete unnamed.signatures[0].keyid;
    const post = client();
    const answer = await withoutDatabase(() => post('/v1/evidence', JSON.stringify(unnamed)));
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.headers['content-type']).toContain(PROBLEM);
    expect(answer.json().errors).toEqual([{ field: 'signatures.0.keyid', message: expect.any(String) }]);
    expect(await fixture.counts()).toEqual(before);
  });

  it('checks a signature against the trusted keys in memory, before any database work', async () => {
    const post = client();
    // One accepted envelope loads the key index.
    const first = await post(
      '/v1/evidence',
      signedEnvelope(evidenceStatement({ toe: 'toe-replayed' }), fixture.collectorKey),
    );
    expect(first.statusCode, first.body).toBe(201);
    const before = await fixture.counts();
    const stranger = await generateSigningKey();
    const forged = JSON.parse(signedEnvelope(evidenceStatement({ toe: 'toe-replayed' }), stranger));
    forged.signatures[0].keyid = fixture.collectorKey.kid;
    const [unknown, bad] = await withoutDatabase(async () => [
      await post('/v1/evidence', signedEnvelope(evidenceStatement({ toe: 'toe-replayed' }), stranger)),
      await post('/v1/evidence', JSON.stringify(forged)),
    ]);
    expect(unknown!.statusCode, unknown!.body).toBe(403);
    expect(bad!.statusCode, bad!.body).toBe(401);
    expect(await fixture.counts()).toEqual(before);
  });

  it('answers a batch over EVIDENCE_BATCH_MAX with 413 naming envelopes, storing nothing', async () => {
    const before = await fixture.counts();
    const envelopes = [0.91, 0.92, 0.93, 0.94].map((accuracy) =>
      signedEnvelope(evidenceStatement({ accuracy }), fixture.collectorKey),
    );
    const answer = await client()('/v1/evidence/batch', JSON.stringify({ envelopes }));
    expect(answer.statusCode, answer.body).toBe(413);
    expect(answer.headers['content-type']).toContain(PROBLEM);
    expect(answer.json().errors).toEqual([{ field: 'envelopes', message: 'at most 3 envelopes' }]);
    expect(await fixture.counts()).toEqual(before);
  });

  it('answers a flood from one address with 429 and Retry-After, while other addresses go on', async () => {
    const post = client();
    const junk = JSON.stringify({ payload: 'e30', payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [] });
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await post('/v1/evidence', junk)).statusCode);
    expect(statuses).toEqual([400, 400, 400, 400]);
    const flooded = await post('/v1/evidence/batch', JSON.stringify({ envelopes: [junk] }));
    expect(flooded.statusCode).toBe(429);
    expect(flooded.headers['content-type']).toContain(PROBLEM);
    expect(Number(flooded.headers['retry-after'])).toBeGreaterThan(0);
    expect(flooded.json()).toMatchObject({
      type: 'https://cabc.dev/problems/rate-limited',
      errors: [{ field: 'client-address' }],
    });
    expect((await client()('/v1/evidence', junk)).statusCode).toBe(400);
  });

  it('answers more envelopes for one ToE than its limit with 429 and Retry-After, storing only those admitted', async () => {
    const before = await fixture.counts();
    const envelope = (accuracy: number) =>
      signedEnvelope(evidenceStatement({ toe: 'toe-shutdown', accuracy }), fixture.collectorKey);
    const batch = await client()('/v1/evidence/batch', JSON.stringify({ envelopes: [0.81, 0.82, 0.83].map(envelope) }));
    expect(batch.json().results.map((result: { status: number }) => result.status)).toEqual([201, 201, 201]);
    const over = await client()('/v1/evidence', envelope(0.84));
    expect(over.statusCode, over.body).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json().errors).toEqual([
      { field: 'payload.predicate.toe', message: expect.stringContaining('toe-shutdown') },
    ]);
    expect((await fixture.counts()).evidence - before.evidence).toBe(3);
  });
});
