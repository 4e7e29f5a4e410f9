import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_LIMITS, IN_TOTO_PAYLOAD_TYPE } from '@cabc/contracts';
import { generateSigningKey } from '@cabc/crypto';
import { createRedis, databaseUrlFor } from '@cabc/service-kit';
import { call, toeInput } from './support/api.ts';
import {
  assessmentReplica,
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';
import { dryRunOf } from './support/dry-run.ts';
import { accuracyScope } from './support/seed.ts';

const PROBLEM = 'application/problem+json';

// Attacks of issue 12 item 4, each refused before the work it would cost: an expensive CEL rule, an envelope
// without keyid, an oversize batch, a flood per address and per ToE.
describe('limits before work at the assessment service', () => {
  let fixture: AssessmentFixture;
  // Connected up front, so cutting the service off its database takes one statement.
  const admin = new pg.Client({ connectionString: databaseUrlFor(process.env.DATABASE_URL ?? '', 'postgres') });
  beforeAll(async () => {
    await admin.connect();
    fixture = await startAssessmentApp({
      env: {
        EVIDENCE_BATCH_MAX: '3',
        EVIDENCE_RATE_LIMIT_PER_ADDRESS: '4',
        EVIDENCE_RATE_LIMIT_PER_TOE: '3',
        EVIDENCE_RATE_LIMIT_WINDOW: '1m',
        // No time at all: every dry run of this file runs out of budget.
        DRY_RUN_TIME_BUDGET: '0',
        DRY_RUN_MAX_QUEUED_PER_ORG: '2',
      },
    });
  });
  afterAll(async () => {
    await admin.end();
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
    const name = fixture.databaseName;
    try {
      await admin.query(`alter database "${name}" allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      return await work();
    } finally {
      await admin.query(`alter database "${name}" allow_connections true`);
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
    const stranger = await generateSigningKey();
    // One accepted envelope loads the key index; a key it does not know is read for the ToE once (the miss budget).
    const first = await post(
      '/v1/evidence',
      signedEnvelope(evidenceStatement({ toe: 'toe-replayed' }), fixture.collectorKey),
    );
    expect(first.statusCode, first.body).toBe(201);
    const miss = await post('/v1/evidence', signedEnvelope(evidenceStatement({ toe: 'toe-replayed' }), stranger));
    expect(miss.statusCode, miss.body).toBe(403);
    const before = await fixture.counts();
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

  it('runs a dry run as a job of the dry-run worker (202 + Location), which stops it at its time budget', async () => {
    const auditee = await fixture.token('auditee');
    const auditor = await fixture.token('auditor');
    const toe = await call(fixture.app, 'POST', '/v1/toes', auditee, toeInput('toe-dry-run'));
    const toeId = toe.body.id as string;
    const document = accuracyScope([fixture.collectorKey]);
    expect((await call(fixture.app, 'POST', `/v1/toes/${toeId}/scopes`, auditee, { document })).status).toBe(201);
    const started = await fixture.app.inject({
      method: 'POST',
      url: `/v1/toes/${toeId}/scopes/1/dry-run`,
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.headers.location).toBe(`/v1/dry-runs/${started.json().id}`);
    const other = await fixture.token('auditor', 'globex');
    expect((await call(fixture.app, 'GET', String(started.headers.location), other)).status).toBe(404);
    const done = await dryRunOf(fixture.app, toeId, 1, auditor);
    expect(done.status).toBe(200);
    // The budget is checked before every requirement evaluation, not only between replayed arrivals: one arrival of a
    // scope with hundreds of expensive requirements cannot hold the event loop (it held it for seconds before).
    expect(done.body).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(
        /^the dry run took longer than its time budget of 0 ms \(stopped after 0 of \d+ requirement evaluations\)$/,
      ),
    });
  });

  it('refuses a third dry run of an organization while two are queued (429 + Retry-After), others still start', async () => {
    const auditee = await fixture.token('auditee');
    const toe = await call(fixture.app, 'POST', '/v1/toes', auditee, toeInput('toe-dry-run-queue'));
    const toeId = toe.body.id as string;
    const document = accuracyScope([fixture.collectorKey]);
    expect((await call(fixture.app, 'POST', `/v1/toes/${toeId}/scopes`, auditee, { document })).status).toBe(201);
    const globex = await fixture.token('auditee', 'globex');
    const other = await call(fixture.app, 'POST', '/v1/toes', globex, toeInput('toe-dry-run-globex'));
    const otherId = other.body.id as string;
    expect((await call(fixture.app, 'POST', `/v1/toes/${otherId}/scopes`, globex, { document })).status).toBe(201);
    const start = (id: string, token: string) =>
      fixture.app.inject({
        method: 'POST',
        url: `/v1/toes/${id}/scopes/1/dry-run`,
        headers: { authorization: `Bearer ${token}` },
      });
    // The worker held: what is enqueued stays queued.
    const queue = fixture.assessment.queues.dryRun.queue;
    await queue.pause();
    try {
      expect((await start(toeId, auditee)).statusCode).toBe(202);
      expect((await start(toeId, auditee)).statusCode).toBe(202);
      const refused = await start(toeId, auditee);
      expect(refused.statusCode, refused.body).toBe(429);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json().errors[0].field).toBe('path:version');
      expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 2 });
      // Another organization's dry runs are not held up by acme's.
      expect((await start(otherId, globex)).statusCode).toBe(202);
    } finally {
      await queue.resume();
    }
  });

  it('refuses evidence with more measurements than EVIDENCE_LIMITS allows with 422 naming them, storing nothing', async () => {
    const before = await fixture.counts();
    const statement = evidenceStatement({ toe: 'toe-lookup' });
    statement.predicate.measurements = Array.from({ length: EVIDENCE_LIMITS.measurements + 1 }, (_, index) => ({
      name: `m${index}`,
      value: index,
    }));
    const answer = await client()('/v1/evidence', signedEnvelope(statement, fixture.collectorKey));
    expect(answer.statusCode, answer.body).toBe(422);
    expect(answer.json().errors.map((error: { field: string }) => error.field)).toEqual([
      'payload.predicate.measurements',
    ]);
    expect(await fixture.counts()).toEqual(before);
  });

  it('lets evidence through when Redis, where the limits are counted, is down (they fail open)', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1');
    const replica = await assessmentReplica(fixture.config, { redis: deadRedis });
    try {
      const envelope = signedEnvelope(evidenceStatement({ toe: 'toe-lookup', accuracy: 0.77 }), fixture.collectorKey);
      const answer = await replica.inject({
        method: 'POST',
        url: '/v1/evidence',
        headers: { 'content-type': 'application/json' },
        payload: envelope,
      });
      expect(answer.statusCode, answer.body).toBe(201);
    } finally {
      await replica.close();
    }
  });
});
