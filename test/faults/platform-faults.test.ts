import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlakyReceiver } from './support/flaky-receiver.ts';
import { certifyToe, type CertifiedToe } from '@cabc/platform';
import { hasRedisServerBinary } from '@cabc/local-servers';
import { startFaultCluster, type FaultCluster } from './support/fault-cluster.ts';
import { hasPostgresBinaries } from './support/postgres-server.ts';
import {
  expectNoLossNoDuplicate,
  evidenceAt,
  firstArrivalAfter,
  pushEvidence,
  report,
  waitForDelivered,
} from './support/workload.ts';

/** The bounds: delivery resumes within 5 s of readiness; a push answers within 1 s while Redis is down. */
const RECOVERY_BOUND_MS = 5_000;
const REDIS_OUTAGE_PUSH_BOUND_MS = 1_000;

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../packages/cli/bin/cabc', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ready) return Date.now();
    if (Date.now() > deadline) throw new Error(`${url} never became ready`);
    await sleep(50);
  }
}

describe.skipIf(!hasPostgresBinaries() || !hasRedisServerBinary())('platform under faults', () => {
  let cluster: FaultCluster;
  let names = 0;
  const newToe = async (): Promise<CertifiedToe> => {
    names += 1;
    return certifyToe(cluster, { org: 'acme', name: `fault-${names}` });
  };

  beforeAll(async () => {
    cluster = await startFaultCluster({
      env: {
        // A short schedule, so that the undeliverable message is dead-lettered within seconds.
        collector: { DELIVERY_MAX_ATTEMPTS: '12', COLLECTOR_ORG: 'acme' },
        // Callbacks older than this are refused: the certification body stays down longer than that.
        certificationBody: { CALLBACK_MAX_AGE: '3s' },
      },
    });
    await cluster.startPlatform();
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it('survives a Postgres restart under load: 503 problem+json with Retry-After meanwhile, nothing lost', async () => {
    const toe = await newToe();
    const pid = cluster.platformPid();
    let restarted: Promise<{ downAt: number; upAt: number; readiness: number }> | undefined;
    const pushes = await pushEvidence(cluster, {
      toe: toe.toeId,
      token: toe.tokens.pipeline,
      count: 200,
      concurrency: 6,
      label: 'pg-restart',
      onAck: (acked) => {
        if (acked !== 60) return;
        restarted = (async () => {
          const downAt = Date.now();
          await cluster.postgres.stop();
          const readiness = await fetch(`${cluster.urls.collector}/readyz`).then((response) => response.status);
          await sleep(1_500);
          await cluster.postgres.start();
          return { downAt, upAt: Date.now(), readiness };
        })();
      },
    });
    const { upAt, readiness } = await restarted!;
    // Unready during the outage.
    expect(readiness).toBe(503);
    const readyAt = await waitUntilReady(cluster.urls.collector);
    const counts = await expectNoLossNoDuplicate(cluster, toe.toeId, pushes.acked);
    // The same process served throughout: no unhandled 'error' event ended it.
    expect(cluster.unexpectedExits()).toEqual([]);
    expect(cluster.platformPid()).toBe(pid);
    const unavailable = pushes.answers.filter((answer) => answer.status === 503);
    for (const answer of unavailable) {
      expect(answer.problem).toMatchObject({
        contentType: expect.stringContaining('application/problem+json'),
        retryAfter: expect.stringMatching(/^\d+$/),
      });
    }
    expect(pushes.answers.filter((answer) => answer.status === 500)).toEqual([]);
    const after = await cluster.query<{ at: Date | null }>(
      'assessment',
      'select min(received_at) as at from evidence where toe = $1 and received_at >= $2',
      [toe.toeId, new Date(upAt)],
    );
    const resumedMs = (after[0]?.at?.getTime() ?? Number.POSITIVE_INFINITY) - readyAt;
    report('postgres restart under load', {
      ...counts,
      answered503: unavailable.length,
      networkErrors: pushes.answers.filter((answer) => answer.status === 'network').length,
      readyAfterRestartMs: readyAt - upAt,
      deliveryResumedAfterReadyMs: Math.max(0, resumedMs),
    });
    expect(resumedMs).toBeLessThan(RECOVERY_BOUND_MS);
  }, 120_000);

  it('answers pushes at once while Redis is down, and delivers everything once Redis is back empty', async () => {
    const toe = await newToe();
    const before = cluster.output().length;
    let outage: Promise<{ downAt: number; upAt: number; owed: string[] }> | undefined;
    const pushes = await pushEvidence(cluster, {
      toe: toe.toeId,
      token: toe.tokens.pipeline,
      count: 150,
      concurrency: 4,
      label: 'redis-restart',
      onAck: (acked) => {
        if (acked !== 30) return;
        outage = (async () => {
          const downAt = Date.now();
          await cluster.killRedis();
          // Redis stays down while the remaining pushes go on.
          await sleep(4_000);
          await cluster.startRedis();
          const upAt = Date.now();
          const { collector, assessment } = await evidenceAt(cluster, toe.toeId);
          return { downAt, upAt, owed: collector.filter((digest) => !assessment.includes(digest)) };
        })();
      },
    });
    const { downAt, upAt, owed } = await outage!;
    const readyAt = await waitUntilReady(cluster.urls.collector);
    const counts = await expectNoLossNoDuplicate(cluster, toe.toeId, pushes.acked);
    // What was owed when Redis came back (its jobs lost with it) flows again within the bound of readiness.
    expect(owed.length).toBeGreaterThan(0);
    const resumedMs = (await firstArrivalAfter(cluster, owed, upAt)) - readyAt;
    // Pushes answered during the outage (after Redis died, before it was back).
    const duringOutage = pushes.answers.slice(30).filter((answer) => answer.status === 201);
    const slowest = Math.max(...pushes.answers.map((answer) => answer.ms));
    const output = cluster.output().slice(before).split('\n');
    const rawDumps = output.filter((line) => line.includes('ECONNREFUSED') && !line.startsWith('{'));
    const outageLines = output.filter((line) => line.includes('unavailable; reconnecting'));
    report('redis kill -9 and empty restart', {
      ...counts,
      redisDownMs: upAt - downAt,
      pushesAnswered: pushes.answers.length,
      slowestPushMs: slowest,
      rawStackDumps: rawDumps.length,
      outageLogLines: outageLines.length,
      readyAfterRedisBackMs: readyAt - upAt,
      owedWhenRedisBack: owed.length,
      deliveryResumedAfterReadyMs: Math.max(0, resumedMs),
    });
    expect(resumedMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(pushes.answers.every((answer) => answer.status === 201)).toBe(true);
    expect(slowest).toBeLessThan(REDIS_OUTAGE_PUSH_BOUND_MS);
    expect(rawDumps).toEqual([]);
    // One line per connection and state change (each service: the workers' and the producers' connection).
    expect(outageLines.length).toBeLessThanOrEqual(6);
    expect(cluster.unexpectedExits()).toEqual([]);
  }, 120_000);

  it('resumes delivery within 5 s of readiness after a kill -9 mid-push, nothing lost or duplicated', async () => {
    const toe = await newToe();
    let killedAt = 0;
    let readyAt = 0;
    let owed: string[] = [];
    let crash: Promise<void> | undefined;
    const acked = new Map<string, string>();
    const pushes = await pushEvidence(cluster, {
      toe: toe.toeId,
      token: toe.tokens.pipeline,
      count: 250,
      concurrency: 8,
      label: 'kill-9',
      onAck: async (count) => {
        if (count !== 100) return;
        crash = (async () => {
          await cluster.killPlatform();
          killedAt = Date.now();
          acked.clear();
          const received = new Set((await evidenceAt(cluster, toe.toeId)).assessment);
          const stored = (await evidenceAt(cluster, toe.toeId)).collector;
          owed = stored.filter((digest) => !received.has(digest));
          await cluster.startPlatform();
          readyAt = await waitUntilReady(cluster.urls.collector);
        })();
      },
    });
    await crash;
    const counts = await expectNoLossNoDuplicate(cluster, toe.toeId, pushes.acked);
    expect(owed.length).toBeGreaterThan(0);
    const firstOwed = await firstArrivalAfter(cluster, owed, killedAt);
    const allOwed = await waitForDelivered(cluster, toe.toeId, owed);
    const evaluated = await cluster.query<{ at: Date | null }>(
      'assessment',
      'select min(evaluated_at) as at from requirement_results where toe = $1 and evaluated_at >= $2',
      [toe.toeId, new Date(readyAt)],
    );
    const evaluationResumedMs = (evaluated[0]?.at?.getTime() ?? Number.POSITIVE_INFINITY) - readyAt;
    report('platform kill -9 mid-push', {
      ...counts,
      owedAtCrash: owed.length,
      restartToReadyMs: readyAt - killedAt,
      deliveryResumedAfterReadyMs: Math.max(0, firstOwed - readyAt),
      owedDeliveredAfterReadyMs: Math.max(0, allOwed - readyAt),
      evaluationResumedAfterReadyMs: Math.max(0, evaluationResumedMs),
    });
    expect(firstOwed - readyAt).toBeLessThan(RECOVERY_BOUND_MS);
    expect(evaluationResumedMs).toBeLessThan(RECOVERY_BOUND_MS);
  }, 120_000);

  // Callbacks are signed when sent (issue 13): signed when written, they would go stale meanwhile.
  it('delivers posture callbacks once the certification body is back after longer than the callback freshness', async () => {
    const since = new Date();
    await cluster.stopService('certificationBody');
    const toe = await newToe();
    const pushes = await pushEvidence(cluster, {
      toe: toe.toeId,
      token: toe.tokens.pipeline,
      count: 10,
      concurrency: 2,
      label: 'cb-down',
    });
    await waitForDelivered(cluster, toe.toeId, pushes.acked.values());
    // Longer down than CALLBACK_MAX_AGE (3 s): a callback signed when it was written would now be stale.
    await sleep(5_000);
    await cluster.startService('certificationBody');
    const readyAt = await waitUntilReady(cluster.urls.certificationBody);
    const owed = () =>
      cluster.query<{ id: number; status: string }>(
        'assessment',
        "select id, status from outbox where topic = 'certification-body' and created_at >= $1 order by id",
        [since],
      );
    const deadline = Date.now() + 60_000;
    let rows = await owed();
    while (rows.some((row) => row.status === 'pending') && Date.now() < deadline) {
      await sleep(100);
      rows = await owed();
    }
    const settledAt = Date.now();
    const received = await cluster.query<{ jti: string; outcome: string }>(
      'certificationBody',
      'select jti, outcome from received_callbacks where toe = $1',
      [toe.toeId],
    );
    const lost = rows.filter((row) => row.status !== 'delivered').length;
    const duplicated = received.length - new Set(received.map((row) => row.jti)).size;
    report('certification body down longer than the callback freshness window', {
      callbacks: rows.length,
      lost,
      duplicated,
      outcomes: [...new Set(received.map((row) => row.outcome))].join('/'),
      deliveredAfterReadyMs: settledAt - readyAt,
    });
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.filter((row) => row.status !== 'delivered')).toEqual([]);
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
  }, 120_000);

  it("dead-letters an undeliverable message after its schedule and delivers the ToE's later ones; an operator redelivers it", async () => {
    const toe = await newToe();
    const receiver = await startFlakyReceiver();
    try {
      // A message the receiver keeps refusing with 503, at the head of the ToE's queue (e.g. a gateway in its way).
      const [inserted] = await cluster.query<{ id: number }>(
        'collector',
        `insert into outbox (topic, ordering_key, destination, content_type, body, status)
         values ('evidence', $1, $2, 'application/json', '{"poison":true}', 'pending') returning id`,
        [toe.toeId, receiver.url],
      );
      const poisonId = inserted?.id ?? 0;
      const insertedAt = Date.now();
      const pushes = await pushEvidence(cluster, {
        toe: toe.toeId,
        token: toe.tokens.pipeline,
        count: 20,
        concurrency: 2,
        label: 'after-poison',
      });
      const counts = await expectNoLossNoDuplicate(cluster, toe.toeId, pushes.acked);
      const laterDeliveredAt = Date.now();
      const [dead] = await cluster.query<{ status: string; attempts: number }>(
        'collector',
        'select status, attempts from outbox where id = $1',
        [poisonId],
      );
      expect(dead).toEqual({ status: 'dead_letter', attempts: 12 });
      const poisonAttempts = dead?.attempts ?? 0;
      expect(receiver.hits()).toBe(12);

      // Operators see it, with the counts the metrics read, and hand it back once the receiver takes it.
      const admin = await cluster.token('admin', 'acme');
      const listed = await fetch(`${cluster.urls.collector}/v1/outbox/undelivered`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(listed.status).toBe(200);
      const view = (await listed.json()) as {
        items: { id: number; status: string }[];
        counts: { dead_letter: number };
      };
      expect(view.items).toContainEqual(expect.objectContaining({ id: poisonId, status: 'dead_letter' }));
      expect(view.counts.dead_letter).toBeGreaterThanOrEqual(1);
      receiver.accept();
      // The operator's command: cabc outbox redeliver <id>.
      const { stdout } = await run(process.execPath, [
        cli,
        'outbox',
        'redeliver',
        String(poisonId),
        '--service',
        cluster.urls.collector,
        '--token',
        admin,
        '--json',
      ]);
      expect(JSON.parse(stdout)).toEqual({ redelivered: [poisonId] });
      const deadline = Date.now() + 30_000;
      let status = 'dead_letter';
      while (status !== 'delivered' && Date.now() < deadline) {
        await sleep(100);
        const rows = await cluster.query<{ status: string }>('collector', 'select status from outbox where id = $1', [
          poisonId,
        ]);
        status = rows[0]?.status ?? status;
      }
      expect(status).toBe('delivered');
      report('undeliverable message followed by deliverable ones', {
        ...counts,
        poisonAttempts,
        laterDeliveredAfterPoisonMs: laterDeliveredAt - insertedAt,
        receiverHits: receiver.hits(),
      });
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
