import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  encodeLeaf,
  leafHash,
  parseAndVerifyCheckpoint,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '@cabc/ledger';
import { sha256Hex } from '@cabc/crypto';
import { createLedger, startCheckpointTimer } from '../src/modules/ledger/ledger.module.ts';
import {
  checkpointNow,
  claimsOf,
  distinctEnvelope,
  get,
  ingest,
  leafOfReceipt,
  postEnvelope,
  type Receipt,
} from './ledger-support.ts';
import { expectProblem } from '@cabc/testing';
import { assessmentReplica, startAssessmentApp, type AssessmentFixture } from './support/assessment-app.ts';

const b64 = (value: string) => Buffer.from(value, 'base64');

describe('evidence ledger: receipts, checkpoints and proofs', () => {
  let fixture: AssessmentFixture;
  let receipts: Receipt[];
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    receipts = await ingest(fixture, 10);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('gives every accepted envelope the next log index, in the JSON answer and in the signed receipt', async () => {
    expect(receipts.map((receipt) => receipt.logIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const receipt of receipts) {
      expect(claimsOf(receipt.receipt)).toMatchObject({
        logIndex: receipt.logIndex,
        sequence: receipt.sequence,
        sub: receipt.evidenceId,
      });
    }
    const evidence = await get(fixture.app, `/v1/evidence/${receipts[3]!.evidenceId}`, {
      authorization: `Bearer ${await fixture.token('auditor')}`,
    });
    expect(evidence.statusCode, evidence.body).toBe(200);
    expect(evidence.json().logIndex).toBe(3);
  });

  it('answers a repeated envelope with the same receipt and appends nothing', async () => {
    const envelope = distinctEnvelope(fixture);
    const first = await postEnvelope(fixture.app, envelope);
    const again = await postEnvelope(fixture.app, envelope);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.receipt).toEqual(first.receipt);
    receipts.push(first.receipt);
    const { rows } = await sql<{ size: number }>`select size from ledger_head`.execute(fixture.infra.db);
    expect(Number(rows[0]!.size)).toBe(receipts.length);
  });

  it('stores the leaf the receipt holder computes, with received_at at the encoded millisecond', async () => {
    const { rows } = await sql<{
      leaf_index: number;
      leaf_hash: Buffer;
      envelope: string;
      sequence: number;
      received_at: Date;
      toe: string;
    }>`
      select l.leaf_index, l.leaf_hash, e.envelope, e.sequence, e.received_at, e.toe
      from ledger_leaves l join evidence e on e.id = l.evidence_id order by l.leaf_index`.execute(fixture.infra.db);
    expect(rows).toHaveLength(receipts.length);
    for (const row of rows) {
      const receipt = receipts[Number(row.leaf_index)]!;
      const fromRow = leafHash(
        encodeLeaf({
          envelopeSha256: sha256Hex(row.envelope),
          sequence: Number(row.sequence),
          receivedAt: row.received_at,
          toe: row.toe,
        }),
      );
      expect(fromRow.equals(row.leaf_hash)).toBe(true);
      expect(leafOfReceipt(receipt).equals(row.leaf_hash)).toBe(true);
    }
  });

  it('signs checkpoints on demand for the auditor or an admin only', async () => {
    const url = '/v1/ledger/checkpoints';
    expectProblem(await fixture.app.inject({ method: 'POST', url }), 401);
    for (const role of ['auditee', 'pipeline', 'certification_body'] as const) {
      const response = await fixture.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${await fixture.token(role)}` },
      });
      expectProblem(response, 403);
    }
    const first = await fixture.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${await fixture.token('auditor')}` },
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ size: receipts.length, origin: 'cabc-assessment/ledger' });
    const again = await fixture.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${await fixture.token('admin')}` },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
  });

  it('publishes the latest checkpoint as JSON and as a signed note that verifies with the published key', async () => {
    const key = await get(fixture.app, '/v1/ledger/verifier-key');
    expect(key.statusCode).toBe(200);
    const { verifierKey, verifierKeys, origin } = key.json();
    expect(verifierKey).toMatch(/^cabc-assessment\/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
    expect(verifierKeys[0]).toBe(verifierKey);
    expect(origin).toBe('cabc-assessment/ledger');
    const keyText = await get(fixture.app, '/v1/ledger/verifier-key', { accept: 'text/plain' });
    expect(keyText.body).toBe(`${verifierKey}\n`);

    const json = await get(fixture.app, '/v1/ledger/checkpoints/latest');
    expect(json.statusCode).toBe(200);
    const text = await get(fixture.app, '/v1/ledger/checkpoints/latest', { accept: 'text/plain' });
    expect(text.statusCode).toBe(200);
    expect(String(text.headers['content-type'])).toMatch(/^text\/plain/);
    expect(text.body).toBe(json.json().note);

    const checkpoint = parseAndVerifyCheckpoint(text.body, [verifierKey], { origin: 'cabc-assessment/ledger' });
    expect(checkpoint.size).toBe(receipts.length);
    expect(checkpoint.rootHash.equals(rootOf(receipts.map(leafOfReceipt)))).toBe(true);
    expect(json.json().rootHash).toBe(checkpoint.rootHash.toString('base64'));
    const bySize = await get(fixture.app, `/v1/ledger/checkpoints/${checkpoint.size}`, { accept: 'text/plain' });
    expect(bySize.body).toBe(text.body);
  });

  it('proves the inclusion of every entry (by index and by evidence id) against the signed root', async () => {
    const checkpoint = await checkpointNow(fixture);
    for (const receipt of receipts) {
      for (const query of [`index=${receipt.logIndex}`, `evidenceId=${receipt.evidenceId}`]) {
        const response = await get(fixture.app, `/v1/ledger/proofs/inclusion?${query}&size=${checkpoint.size}`);
        expect(response.statusCode, response.body).toBe(200);
        const proof = response.json();
        expect(proof).toMatchObject({ index: receipt.logIndex, size: checkpoint.size });
        const hashes = proof.hashes.map(b64);
        expect(
          verifyInclusion(leafOfReceipt(receipt), receipt.logIndex!, checkpoint.size, hashes, checkpoint.rootHash),
        ).toBe(true);
        // A different leaf does not verify with the same path.
        expect(
          verifyInclusion(
            leafOfReceipt({ ...receipt, sequence: receipt.sequence + 1 }),
            receipt.logIndex!,
            checkpoint.size,
            hashes,
            checkpoint.rootHash,
          ),
        ).toBe(false);
      }
    }
    // Without a size, the proof is for the latest checkpoint.
    const latest = (await get(fixture.app, `/v1/ledger/proofs/inclusion?index=0`)).json();
    expect(latest.size).toBe(checkpoint.size);
  });

  it('proves that each checkpoint extends the previous ones', async () => {
    const older = await checkpointNow(fixture);
    receipts.push(...(await ingest(fixture, 7)));
    const newer = await checkpointNow(fixture);
    expect(newer.size).toBe(older.size + 7);
    for (const first of [0, 1, 3, older.size - 1, older.size]) {
      const response = await get(fixture.app, `/v1/ledger/proofs/consistency?first=${first}&second=${newer.size}`);
      expect(response.statusCode, response.body).toBe(200);
      const rootFirst = rootOf(receipts.slice(0, first).map(leafOfReceipt));
      expect(verifyConsistency(first, newer.size, response.json().hashes.map(b64), rootFirst, newer.rootHash)).toBe(
        true,
      );
    }
    const between = (
      await get(fixture.app, `/v1/ledger/proofs/consistency?first=${older.size}&second=${newer.size}`)
    ).json();
    expect(verifyConsistency(older.size, newer.size, between.hashes.map(b64), older.rootHash, newer.rootHash)).toBe(
      true,
    );
    expect(verifyConsistency(older.size, newer.size, between.hashes.map(b64), Buffer.alloc(32), newer.rootHash)).toBe(
      false,
    );
  });

  it('lists every checkpoint in signing order, page by page, without a token', async () => {
    const all = (await get(fixture.app, '/v1/ledger/checkpoints')).json();
    expect(all.items.length).toBeGreaterThanOrEqual(2);
    expect(all.next).toBeNull();
    const sizes = all.items.map((item: { size: number }) => item.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    const page = (await get(fixture.app, '/v1/ledger/checkpoints?limit=1')).json();
    expect(page.items).toHaveLength(1);
    const next = (await get(fixture.app, `/v1/ledger/checkpoints?limit=1&after=${page.next}`)).json();
    expect(next.items[0].id).toBe(all.items[1].id);
  });

  it('shows the committed leaf and the one recomputed from the stored row', async () => {
    const response = await get(fixture.app, '/v1/ledger/leaves/2');
    expect(response.statusCode).toBe(200);
    const leaf = response.json();
    expect(leaf.matches).toBe(true);
    expect(leaf.storedLeafHash).toBe(leaf.leafHash);
    expect(b64(leaf.leafHash).equals(leafOfReceipt(receipts[2]!))).toBe(true);
  });

  it('answers 422 naming the parameter and the limit for proofs outside the log', async () => {
    const size = receipts.length;
    const cases: [string, string, number, string][] = [
      [`/v1/ledger/proofs/inclusion?index=${size}&size=${size}`, 'query:index', size, '<'],
      [`/v1/ledger/proofs/inclusion?index=0&size=${size + 1}`, 'query:size', size, '<='],
      [`/v1/ledger/proofs/inclusion?index=-1&size=${size}`, 'query:index', 0, '>='],
      [`/v1/ledger/proofs/consistency?first=5&second=4`, 'query:first', 4, '<='],
      [`/v1/ledger/proofs/consistency?first=1&second=${size + 5}`, 'query:second', size, '<='],
      [`/v1/ledger/proofs/consistency?first=-2&second=4`, 'query:first', 0, '>='],
      [`/v1/ledger/leaves/${size}`, 'path:index', size, '<'],
    ];
    for (const [url, field, limit, relation] of cases) {
      const problem = expectProblem(await get(fixture.app, url), 422, field);
      expect(problem, url).toMatchObject({ limit, relation });
      expect(problem.detail, url).toContain(String(limit));
    }
    const tooSmall = expectProblem(
      await get(fixture.app, `/v1/ledger/proofs/inclusion?evidenceId=${receipts[5]!.evidenceId}&size=3`),
      422,
      'query:size',
    );
    expect(tooSmall).toMatchObject({ limit: 5, relation: '>' });
  });

  it('answers 400 for parameters that are not integers and 404 for evidence outside the log', async () => {
    expectProblem(await get(fixture.app, '/v1/ledger/proofs/inclusion?index=abc&size=3'), 400, 'query:index');
    expectProblem(await get(fixture.app, '/v1/ledger/proofs/consistency?first=1.5&second=3'), 400, 'query:first');
    expectProblem(await get(fixture.app, '/v1/ledger/proofs/consistency?second=3'), 400, 'query:first');
    expectProblem(
      await get(
        fixture.app,
        `/v1/ledger/proofs/inclusion?evidenceId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
      ),
      404,
      'query:evidenceId',
    );
  });
});

describe('evidence ledger: concurrent ingest', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('gives 200 envelopes from 8 parallel clients, through two replicas, distinct consecutive indexes and one consistent tree', async () => {
    // A second app on the same database: another replica, with its own sequencer, serialized by the head row lock.
    const replica = await assessmentReplica(fixture.config);
    const envelopes = Array.from({ length: 200 }, (_, i) =>
      distinctEnvelope(fixture, i % 2 === 0 ? 'credit-scoring' : 'toe-lookup'),
    );
    let next = 0;
    const receipts: Receipt[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        while (next < envelopes.length) {
          const { status, receipt } = await postEnvelope(client % 2 === 0 ? fixture.app : replica, envelopes[next++]!);
          expect(status).toBe(201);
          receipts.push(receipt);
        }
      }),
    );
    await replica.close();
    const indexes = receipts.map((receipt) => receipt.logIndex!).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 200 }, (_, i) => i));

    const checkpoint = await checkpointNow(fixture);
    expect(checkpoint.size).toBe(200);
    const inLogOrder = [...receipts].sort((a, b) => a.logIndex! - b.logIndex!);
    expect(rootOf(inLogOrder.map(leafOfReceipt)).equals(checkpoint.rootHash)).toBe(true);

    // Recomputed from the stored rows alone, in log order.
    const { rows } = await sql<{ envelope: string; sequence: number; received_at: Date; toe: string }>`
      select e.envelope, e.sequence, e.received_at, e.toe from ledger_leaves l join evidence e on e.id = l.evidence_id
      order by l.leaf_index`.execute(fixture.infra.db);
    const recomputed = rows.map((row) =>
      leafHash(
        encodeLeaf({
          envelopeSha256: sha256Hex(row.envelope),
          sequence: Number(row.sequence),
          receivedAt: row.received_at,
          toe: row.toe,
        }),
      ),
    );
    expect(rootOf(recomputed).equals(checkpoint.rootHash)).toBe(true);
    const nodes = await sql<{ count: number }>`select count(*)::int as count from ledger_nodes`.execute(
      fixture.infra.db,
    );
    expect(nodes.rows[0]!.count).toBe(200 + 100 + 50 + 25 + 12 + 6 + 3 + 1);
  });
});

describe('evidence ledger: group commit', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('answers envelopes sent twice at once with one receipt, leaving no gap in the log', async () => {
    const envelopes = Array.from({ length: 40 }, () => distinctEnvelope(fixture));
    const sends = [...envelopes, ...envelopes.filter((_, i) => i % 3 === 0)];
    const answers = await Promise.all(sends.map((envelope) => postEnvelope(fixture.app, envelope)));
    const byEvidence = new Map<string, Receipt>();
    for (const { receipt } of answers) {
      const seen = byEvidence.get(receipt.evidenceId);
      if (seen) expect(receipt).toEqual(seen);
      byEvidence.set(receipt.evidenceId, receipt);
    }
    expect(byEvidence.size).toBe(40);
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(40);
    expect([...byEvidence.values()].map((receipt) => receipt.logIndex!).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    const checkpoint = await checkpointNow(fixture);
    const inLogOrder = [...byEvidence.values()].sort((a, b) => a.logIndex! - b.logIndex!);
    expect(rootOf(inLogOrder.map(leafOfReceipt)).equals(checkpoint.rootHash)).toBe(true);
  });

  it('commits the other appends of a batch when one of them fails', async () => {
    const ledger = createLedger({
      db: fixture.infra.db,
      keys: fixture.infra.keys,
      issuer: fixture.config.AUDITOR_ISSUER,
    });
    const size = await ledger.repository.size();
    const leaf = (i: number) => ({
      evidenceId: randomUUID(),
      envelopeSha256: sha256Hex(`x${i}`),
      sequence: 1_000_000 + i,
      receivedAt: new Date(),
      toe: 'credit-scoring',
    });
    const written: number[] = [];
    const write = async (_trx: unknown, indexes: number[]) => {
      written.push(...indexes);
    };
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        ledger.appender!.append({
          leaf: leaf(i),
          prepare: async (logIndex) => {
            if (i === 4) throw new Error('this one fails');
            return logIndex;
          },
          write,
        }),
      ),
    );
    expect(results[4]).toMatchObject({ status: 'rejected', reason: { message: 'this one fails' } });
    const indexes = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(indexes.sort((a, b) => a - b)).toEqual(Array.from({ length: 9 }, (_, i) => size + i));
    expect(await ledger.repository.size()).toBe(size + 9);
    // Every committed append was written by its batch (rolled-back batches had written too, then were retried).
    expect(new Set(written)).toEqual(new Set([...indexes, ...written]));
  });
});

describe('evidence ledger: periodic checkpoints and the switch', () => {
  let fixture: AssessmentFixture;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('signs on the timer only when the log grew', async () => {
    const ledger = createLedger({
      db: fixture.infra.db,
      keys: fixture.infra.keys,
      issuer: fixture.config.AUDITOR_ISSUER,
    });
    const timer = startCheckpointTimer({
      ledger: ledger.service,
      logger: pino({ level: 'silent' }),
      intervalMs: 3_600_000,
    });
    try {
      const count = async () =>
        Number(
          (
            await sql<{ count: number }>`select count(*)::int as count from ledger_checkpoints`.execute(
              fixture.infra.db,
            )
          ).rows[0]!.count,
        );
      await timer.runOnce();
      expect(await count()).toBe(0); // empty log: nothing to sign
      await ingest(fixture, 3);
      await timer.runOnce();
      expect(await count()).toBe(1);
      await timer.runOnce();
      expect(await count()).toBe(1);
      await ingest(fixture, 1);
      await timer.runOnce();
      expect(await count()).toBe(2);
    } finally {
      await timer.stop();
    }
  });

  it('stores evidence without a leaf, and receipts without logIndex, when LEDGER_ENABLED is false', async () => {
    const app = await assessmentReplica(fixture.config, { env: { LEDGER_ENABLED: 'false' } });
    try {
      const before = Number(
        (await sql<{ size: number }>`select size from ledger_head`.execute(fixture.infra.db)).rows[0]!.size,
      );
      const { status, receipt } = await postEnvelope(app, distinctEnvelope(fixture));
      expect(status).toBe(201);
      expect(receipt.logIndex).toBeNull();
      expect(claimsOf(receipt.receipt)).not.toHaveProperty('logIndex');
      const after = Number(
        (await sql<{ size: number }>`select size from ledger_head`.execute(fixture.infra.db)).rows[0]!.size,
      );
      expect(after).toBe(before);
    } finally {
      await app.close();
    }
  });
});
