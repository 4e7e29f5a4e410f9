import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { api, certifyToe, type CertifiedToe } from '../src/index.ts';
import { performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

// Two instances of every service on the same Postgres databases, Redis and queues, as two replicas of each process
// would run: collector A delivers to assessment A, which calls back certification body A; collector B to assessment B
// to certification body B. Both assessments' workers take evaluation and outbox jobs from the same queues.
// Evidence goes in through both collectors at once; what must hold is what one instance guarantees.
const TOES = 4;
const PER_TOE = 20;

async function rows<T extends pg.QueryResultRow>(databaseUrl: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('two replicas of every service on the same databases and queues', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let collectors: string[];
  const toes: { toe: CertifiedToe; degrades: boolean }[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    const certificationBody = await platform.replica('certificationBody');
    const assessment = await platform.replica('assessment', { certificationBody: certificationBody.url });
    const collector = await platform.replica('collector', { assessment: assessment.url });
    collectors = [platform.urls.collector, collector.url];
    for (let index = 0; index < TOES; index += 1) {
      const toe = await certifyToe(platform, { org: 'acme', name: `replicated-${index}` });
      toes.push({ toe, degrades: index % 2 === 1 });
    }
  }, 120_000);
  afterAll(async () => {
    await platform?.dispose();
  });

  it('stores every evidence once, in one gap-free ledger, and each certificate ends in its state', async () => {
    const start = Date.now() - 10 * 60_000;
    // Every ToE's evidence alternates between the two collectors; all ToEs at once. The newest evidence of a
    // degrading ToE fails its critical accuracy requirement (revoked); the others pass throughout (issued).
    const pushes = toes.map(async ({ toe, degrades }, toeIndex) => {
      for (let index = 0; index < PER_TOE; index += 1) {
        const last = index === PER_TOE - 1;
        const accuracy = degrades && last ? 0.5 : 0.9 + (toeIndex * PER_TOE + index) / 100_000;
        const response = await postJson(
          `${collectors[index % 2]}/v1/evidence`,
          performanceEvidence(toe.toeId, accuracy, new Date(start + index * 1_000)),
          { authorization: `Bearer ${toe.tokens.pipeline}` },
        );
        expect(response.status, JSON.stringify(response.body)).toBe(201);
      }
    });
    await Promise.all(pushes);
    const total = TOES * PER_TOE;

    const received = await waitFor(
      `${total} evidence at the assessment`,
      async () => {
        const found = await rows<{ id: string; envelope_sha256: string }>(
          platform.databaseUrls.assessment,
          'select id, envelope_sha256 from evidence',
        );
        return found.length >= total ? found : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const sent = await rows<{ envelope_sha256: string }>(
      platform.databaseUrls.collector,
      'select envelope_sha256 from evidence',
    );
    expect(sent).toHaveLength(total);
    expect(received.map((row) => row.envelope_sha256).sort()).toEqual(sent.map((row) => row.envelope_sha256).sort());

    // One ledger, appended by both assessments: indexes 0..n-1 without a gap, one leaf per evidence.
    const leaves = await rows<{ leaf_index: string; evidence_id: string }>(
      platform.databaseUrls.assessment,
      'select leaf_index, evidence_id from ledger_leaves order by leaf_index',
    );
    expect(leaves.map((leaf) => Number(leaf.leaf_index))).toEqual([...Array(total).keys()]);
    expect(new Set(leaves.map((leaf) => leaf.evidence_id))).toEqual(new Set(received.map((row) => row.id)));

    for (const { toe, degrades } of toes) {
      const expected = degrades ? 'revoked' : 'issued';
      await waitFor(
        `certificate of ${toe.toeId} ${expected}`,
        async () => {
          const { items } = await api<{ items: { state: string }[] }>(
            'GET',
            `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
            { token: toe.tokens.auditeeAtCertificationBody },
          );
          return items[0]?.state === expected ? items[0] : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    }

    // Each posture change the assessments sent reached a certification body once: no callback delivered twice, one
    // applied callback per (ToE, sequence), and as many taken as the assessments' outboxes count delivered.
    const delivered = await waitFor(
      'no posture callback left to deliver',
      async () => {
        const [counts] = await rows<{ pending: string; delivered: string }>(
          platform.databaseUrls.assessment,
          `select count(*) filter (where status = 'pending') as pending,
                  count(*) filter (where status = 'delivered') as delivered
             from outbox where destination like '%/v1/callbacks/assessment'`,
        );
        return counts && Number(counts.pending) === 0 ? [counts] : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const outcomes = await rows<{ toe: string; sequence: number; outcome: string }>(
      platform.databaseUrls.certificationBody,
      `select toe, sequence, outcome from received_callbacks where kind = 'posture'`,
    );
    expect(outcomes.filter((row) => row.outcome === 'duplicate')).toEqual([]);
    const taken = outcomes.filter((row) => ['applied', 'no_change', 'stale', 'recorded'].includes(row.outcome));
    const applied = taken.filter((row) => row.outcome === 'applied').map((row) => `${row.toe}#${row.sequence}`);
    expect(new Set(applied).size).toBe(applied.length);
    for (const { toe } of toes) expect(applied.some((key) => key.startsWith(`${toe.toeId}#`))).toBe(true);
    expect(taken.length).toBe(Number(delivered[0]!.delivered));
  }, 300_000);
});
