import { Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeyStore } from '@cabc/key-store';
import { generateSigningKey } from '@cabc/crypto';
import { createDatabase } from '@cabc/service-kit';
import { formatVerifierKey, signCheckpoint } from '@cabc/ledger';
import {
  createTestDatabase,
  deleteRedisPrefix,
  testQueuePrefix,
  testRedisUrl,
  waitFor,
  type TestDatabase,
} from '@cabc/testing';
import { certifyToe, startPlatform, type Platform } from '../../../apps/platform/src/index.ts';
import { createLedgerClient } from '../src/modules/ledger-watch/ledger-watch.client.ts';
import { createLedgerWatchRepository } from '../src/modules/ledger-watch/ledger-watch.repository.ts';
import { createLedgerWatcher } from '../src/modules/ledger-watch/ledger-watch.service.ts';
import { createReceiptVerifier } from '../src/modules/ledger-watch/receipt-verifier.ts';

const SECRET = 'test-only-key-encryption-secret';

/** Error log lines the watcher writes, captured. */
function capturingLogger() {
  const lines: { msg: string; level: number }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

async function api(method: string, url: string, token?: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe("the collector's watcher over the auditor's evidence ledger", () => {
  let platform: Platform;
  const databases: TestDatabase[] = [];
  const prefix = testQueuePrefix('ledger-watch');
  let collectorDb: Kysely<any>;
  let assessmentDb: Kysely<any>;
  let tokens: { auditee: string; auditor: string; pipeline: string };
  let toe: string;
  /** Collector evidence ids, in delivery order, with their log index. */
  const delivered: { id: string; logIndex: number }[] = [];
  let capture: ReturnType<typeof capturingLogger>;
  let watcher: ReturnType<typeof createLedgerWatcher>;

  const checkpoint = async () => {
    const answer = await api('POST', `${platform.urls.assessment}/v1/ledger/checkpoints`, tokens.auditor);
    expect([200, 201]).toContain(answer.status);
    return answer.body as { size: number; note: string };
  };
  const status = async () =>
    (
      await api(
        'GET',
        `${platform.urls.collector}/v1/ledger-watch/status`,
        await platform.token('auditee', 'acme', { service: 'collector' }),
      )
    ).body;
  const push = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const submitted = await api('POST', `${platform.urls.collector}/v1/evidence`, tokens.pipeline, {
        toe,
        subject: [{ name: 'model.onnx', digest: { sha256: 'a'.repeat(64) } }],
        kind: 'performance',
        producer: { tool: 'pytest-eval', pipelineRunId: `run-${delivered.length + i}` },
        observedAt: new Date(Date.now() - 60_000).toISOString(),
        measurements: [{ name: 'accuracy', value: 0.95 }],
      });
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      const view = await waitFor('delivery', async () => {
        const answer = await api('GET', `${platform.urls.collector}/v1/evidence/${submitted.body.id}`, tokens.pipeline);
        return answer.body.delivery.status === 'delivered' ? answer.body : undefined;
      });
      delivered.push({ id: submitted.body.id, logIndex: view.delivery.receipt.logIndex });
    }
  };
  /** The auditor-side evidence id of the collector's evidence at a log index. */
  const auditorEvidenceAt = async (logIndex: number) =>
    (
      await sql<{ evidence_id: string }>`select evidence_id from ledger_leaves where leaf_index = ${logIndex}`.execute(
        assessmentDb,
      )
    ).rows[0]!.evidence_id;
  const asSuperuser = async (change: () => Promise<unknown>) => {
    await sql`alter table evidence disable trigger evidence_append_only`.execute(assessmentDb);
    try {
      await change();
    } finally {
      await sql`alter table evidence enable trigger evidence_append_only`.execute(assessmentDb);
    }
  };

  beforeAll(async () => {
    const database = async (service: Parameters<typeof createTestDatabase>[0]) => {
      const created = await createTestDatabase(service);
      databases.push(created);
      return created.url;
    };
    platform = await startPlatform({
      databaseUrl: '',
      databaseUrls: {
        collector: await database('evidence-collector'),
        assessment: await database('assessment'),
        certificationBody: await database('certification-body'),
      },
      redisUrl: testRedisUrl(),
      queuePrefix: prefix,
      keyEncryptionSecret: SECRET,
      logLevel: 'silent',
      reconcileInterval: '500ms',
      retryMaxDelay: '1s',
      migrate: false,
      // The platform's own timers stay out of the way; the test runs its watcher on demand.
      env: { collector: { LEDGER_WATCH_INTERVAL: '0' }, assessment: { CHECKPOINT_INTERVAL: '1h' } },
    });
    collectorDb = createDatabase<any>(platform.databaseUrls.collector, { max: 2 });
    assessmentDb = createDatabase<any>(platform.databaseUrls.assessment, { max: 2 });
    ({ toeId: toe, tokens } = await certifyToe(platform, { org: 'acme', name: 'ledger-watched' }));
    capture = capturingLogger();
    watcher = createLedgerWatcher({
      repository: createLedgerWatchRepository(collectorDb),
      client: createLedgerClient(platform.urls.assessment),
      logger: capture.logger,
      verifyReceipt: createReceiptVerifier(`${platform.urls.assessment}/.well-known/jwks.json`),
    });
  }, 120_000);
  afterAll(async () => {
    await collectorDb?.destroy();
    await assessmentDb?.destroy();
    await platform?.close();
    await deleteRedisPrefix(prefix);
    for (const created of databases) await created.drop();
  });

  it('takes the receipts under watch, pins the published key and finds every entry included', async () => {
    await push(6);
    expect(delivered.map((entry) => entry.logIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    const before = await watcher.runOnce();
    // Posture changes already had the auditor sign checkpoints (each decision keeps one), so one may be seen here.
    expect(before).toMatchObject({ receiptsAdded: 6, failures: [], error: null });

    const signed = await checkpoint();
    const run = await watcher.runOnce();
    expect(run).toMatchObject({
      receiptsAdded: 0,
      checkpointSize: signed.size,
      receiptsChecked: 6,
      failures: [],
      error: null,
    });
    const published = (await api('GET', `${platform.urls.assessment}/v1/ledger/verifier-key`)).body.verifierKey;
    expect(await status()).toMatchObject({
      ok: true,
      verifierKey: published,
      keyPinnedBy: 'first_use',
      lastError: null,
      latestCheckpoint: { size: 6 },
      receipts: { included: 6, pending: 0, failed: 0 },
      failures: [],
    });
  });

  it('checks that each new checkpoint extends the previous one', async () => {
    await push(3);
    await checkpoint();
    const run = await watcher.runOnce();
    expect(run).toMatchObject({ checkpointSize: 9, failures: [], error: null });
    expect(run.receiptsChecked).toBe(9);
    const { rows } = await sql<{ size: number }>`select size from ledger_watch_checkpoints order by id`.execute(
      collectorDb,
    );
    const sizes = rows.map((row) => Number(row.size));
    expect(sizes.slice(-2)).toEqual([6, 9]);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
  });

  it('names the entry whose evidence the auditor changed in its database', async () => {
    const target = delivered[2]!;
    const auditorId = await auditorEvidenceAt(target.logIndex);
    await asSuperuser(() =>
      sql`update evidence set envelope = envelope || ' ' where id = ${auditorId}`.execute(assessmentDb),
    );
    const run = await watcher.runOnce();
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]).toMatchObject({
      kind: 'stored_entry_differs',
      evidenceId: target.id,
      assessmentEvidenceId: auditorId,
      logIndex: 2,
    });
    expect(run.failures[0]!.detail).toMatch(
      /^log index 2 \(evidence .*\): the evidence the auditor stores now differs/,
    );
    expect(
      capture.lines.some((line) => line.level === 50 && line.msg.includes(`log index 2 (evidence ${target.id}`)),
    ).toBe(true);

    const answer = await status();
    expect(answer.ok).toBe(false);
    expect(answer.receipts.failed).toBe(1);
    expect(answer.failures[0]).toMatchObject({ kind: 'stored_entry_differs', evidenceId: target.id, logIndex: 2 });
    // Recorded once, not on every run.
    expect((await watcher.runOnce()).failures).toEqual([]);
  });

  it('names the entry whose evidence the auditor deleted', async () => {
    const target = delivered[4]!;
    const auditorId = await auditorEvidenceAt(target.logIndex);
    await asSuperuser(async () => {
      await sql`delete from pending_evaluations where evidence_id = ${auditorId}`.execute(assessmentDb);
      await sql`delete from evidence where id = ${auditorId}`.execute(assessmentDb);
    });
    const run = await watcher.runOnce();
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]).toMatchObject({ kind: 'stored_entry_differs', evidenceId: target.id, logIndex: 4 });
    expect(run.failures[0]!.detail).toContain('no longer stores this evidence (deleted)');
  });

  it('names both entries when the auditor reorders two of them', async () => {
    const [a, b] = [delivered[6]!, delivered[7]!];
    const [idA, idB] = [await auditorEvidenceAt(a.logIndex), await auditorEvidenceAt(b.logIndex)];
    await asSuperuser(async () => {
      const { rows } = await sql<{
        id: string;
        sequence: number;
      }>`select id, sequence from evidence where id in (${idA}, ${idB})`.execute(assessmentDb);
      const seqA = rows.find((row) => row.id === idA)!.sequence;
      const seqB = rows.find((row) => row.id === idB)!.sequence;
      await sql`update evidence set sequence = -1 where id = ${idA}`.execute(assessmentDb);
      await sql`update evidence set sequence = ${seqA} where id = ${idB}`.execute(assessmentDb);
      await sql`update evidence set sequence = ${seqB} where id = ${idA}`.execute(assessmentDb);
    });
    const run = await watcher.runOnce();
    expect(run.failures.map((failure) => [failure.kind, failure.logIndex]).sort()).toEqual([
      ['stored_entry_differs', 6],
      ['stored_entry_differs', 7],
    ]);
  });

  it('detects a signed checkpoint that forks the log', async () => {
    // The auditor's own key signs a tree head of the same size with another root: only the auditor can do this.
    const keys = new SigningKeyStore(assessmentDb, { secret: SECRET, service: 'assessment' });
    const key = await keys.active();
    const latest = (await api('GET', `${platform.urls.assessment}/v1/ledger/checkpoints/latest`)).body;
    const forged = signCheckpoint(
      { origin: latest.origin, size: latest.size, rootHash: Buffer.alloc(32, 7) },
      { name: latest.origin, privateKey: key.privateKey },
    );
    await sql`insert into ledger_checkpoints (origin, size, root_hash, kid, verifier_key, note)
              values (${latest.origin}, ${latest.size}, ${Buffer.alloc(32, 7)}, ${'forged'}, ${latest.verifierKey}, ${forged})`.execute(
      assessmentDb,
    );
    const run = await watcher.runOnce();
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]).toMatchObject({ kind: 'fork', checkpointSize: latest.size });
    expect(run.failures[0]!.checkpointNotes).toContain(forged);
  });

  it('records an unreachable service as an error of the run, not as a ledger failure', async () => {
    const offline = createLedgerWatcher({
      repository: createLedgerWatchRepository(collectorDb),
      client: createLedgerClient('http://127.0.0.1:1'),
      logger: capture.logger,
      verifyReceipt: createReceiptVerifier('http://127.0.0.1:1/.well-known/jwks.json'),
    });
    const run = await offline.runOnce();
    expect(run.failures).toEqual([]);
    expect(run.error).toMatch(/127\.0\.0\.1:1/);
    expect((await status()).lastError).toMatch(/127\.0\.0\.1:1/);
  });

  it('refuses checkpoints that the configured key did not sign', async () => {
    const other = createLedgerWatcher({
      repository: createLedgerWatchRepository(collectorDb),
      client: createLedgerClient(platform.urls.assessment),
      logger: capture.logger,
      verifyReceipt: createReceiptVerifier(`${platform.urls.assessment}/.well-known/jwks.json`),
      verifierKey: formatVerifierKey('cabc-assessment/ledger', (await generateSigningKey()).publicKey),
    });
    const run = await other.runOnce();
    expect(run.failures.map((failure) => failure.kind)).toContain('bad_checkpoint');
    expect(await status()).toMatchObject({ keyPinnedBy: 'config' });
  });

  it('shows the status only to the collector organization’s users', async () => {
    expect((await api('GET', `${platform.urls.collector}/v1/ledger-watch/status`)).status).toBe(401);
    const auditor = await platform.token('auditor', 'acme', { service: 'collector' });
    expect((await api('GET', `${platform.urls.collector}/v1/ledger-watch/status`, auditor)).status).toBe(403);
    const stranger = await platform.token('auditee', 'globex', { service: 'collector' });
    const answer = (await api('GET', `${platform.urls.collector}/v1/ledger-watch/status`, stranger)).body;
    expect(answer.receipts).toEqual({ pending: 0, included: 0, failed: 0, unlogged: 0 });
    expect(answer.failures.every((failure: { evidenceId: string | null }) => failure.evidenceId === null)).toBe(true);
  });

  it("refuses a receipt whose signature does not verify with the auditor's JWKS", async () => {
    await push(1);
    const target = delivered.at(-1)!;
    const { rows } = await sql<{ id: number; response_body: string }>`
      select o.id, o.response_body from outbox o join evidence e on e.outbox_id = o.id where e.id = ${target.id}`.execute(
      collectorDb,
    );
    const answer = JSON.parse(rows[0]!.response_body);
    const [header, payload] = answer.receipt.split('.');
    // The same claims and kid, signed by a key that is not the auditor's.
    const stranger = await generateSigningKey();
    const { sign } = await import('node:crypto');
    const forged = `${header}.${payload}.${sign(null, Buffer.from(`${header}.${payload}`), stranger.privateKey).toString('base64url')}`;
    await sql`update outbox set response_body = ${JSON.stringify({ ...answer, receipt: forged })} where id = ${rows[0]!.id}`.execute(
      collectorDb,
    );
    const run = await watcher.runOnce();
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]).toMatchObject({ kind: 'bad_receipt_signature', evidenceId: target.id });
    expect(run.failures[0]!.detail).toMatch(/signature does not verify with the auditor's key/);
  });

  it("detects history rewritten in the auditor's database (tree nodes changed behind the service)", async () => {
    // Every node covering leaf 0 replaced by a superuser (append-only trigger off): the tree the auditor now proves
    // from is not the one it signed before.
    await sql`alter table ledger_nodes disable trigger ledger_nodes_append_only`.execute(assessmentDb);
    try {
      await sql`update ledger_nodes set hash = ${Buffer.alloc(32, 9)} where idx = 0`.execute(assessmentDb);
    } finally {
      await sql`alter table ledger_nodes enable trigger ledger_nodes_append_only`.execute(assessmentDb);
    }
    await push(1);
    await checkpoint();
    // The auditor's real key pinned again (an earlier test pinned another one).
    const published = (await api('GET', `${platform.urls.assessment}/v1/ledger/verifier-key`)).body.verifierKey;
    const pinned = createLedgerWatcher({
      repository: createLedgerWatchRepository(collectorDb),
      client: createLedgerClient(platform.urls.assessment),
      logger: capture.logger,
      verifyReceipt: createReceiptVerifier(`${platform.urls.assessment}/.well-known/jwks.json`),
      verifierKey: published,
    });
    const run = await pinned.runOnce();
    expect(run.failures.map((failure) => failure.kind)).toContain('inconsistent');
    expect(run.failures.find((failure) => failure.kind === 'inconsistent')!.detail).toMatch(/history was rewritten/);
  });
});
