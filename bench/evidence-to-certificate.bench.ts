// Latency from POST /v1/evidence at the collector to the certificate state change it causes at the certification
// body. Each ToE alternates compliant and degraded evidence under a non-critical requirement, so every evidence
// suspends or reinstates its certificate (the first one issues it). t0: just before the POST; t1: the `at` of the
// certificate event, stamped by the certification body (same machine, same clock), so polling does not enter it.
import pg from 'pg';
import { accuracyRequirement, api, certifyToe, type CertifiedToe } from '@cabc/platform';
import { startBenchPlatform } from './lib/bench-platform.ts';
import { ms, summarize } from './lib/stats.ts';
import { publish } from './lib/report.ts';

const EVIDENCE = Number(process.env.BENCH_EVIDENCE ?? 500);

const evidenceFor = (toe: string, accuracy: number) => ({
  toe,
  subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
  kind: 'performance',
  producer: { tool: 'bench' },
  observedAt: new Date().toISOString(),
  measurements: [{ name: 'accuracy', value: accuracy }],
});

async function eventCount(db: pg.Client, toe: string): Promise<{ count: number; lastAt: number }> {
  const { rows } = await db.query<{ count: string; last_at: Date | null }>(
    `select count(*) as count, max(e.at) as last_at from certificate_events e join certificates c on c.id = e.certificate_id where c.toe = $1`,
    [toe],
  );
  return { count: Number(rows[0]!.count), lastAt: rows[0]!.last_at?.getTime() ?? 0 };
}

/** Closed loop per ToE: send one evidence, wait for the transition it causes, repeat. */
async function driveToe(collectorUrl: string, db: pg.Client, toe: CertifiedToe, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const before = await eventCount(db, toe.toeId);
    const t0 = Date.now();
    await api('POST', `${collectorUrl}/v1/evidence`, {
      token: toe.tokens.pipeline,
      body: evidenceFor(toe.toeId, index % 2 === 0 ? 0.97 : 0.5),
    });
    const deadline = t0 + 30_000;
    for (;;) {
      const after = await eventCount(db, toe.toeId);
      if (after.count > before.count) {
        latencies.push(after.lastAt - t0);
        break;
      }
      if (Date.now() > deadline) throw new Error(`no certificate transition for ${toe.toeId} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  }
  return latencies;
}

async function measure(platform: Awaited<ReturnType<typeof startBenchPlatform>>, label: string, clients: number) {
  const toes = await Promise.all(
    Array.from({ length: clients }, (_, index) =>
      certifyToe(platform, {
        org: 'bench',
        name: `${label}-${index}`,
        requirements: [{ ...accuracyRequirement(0.9), severity: 'high', critical: false }],
      }),
    ),
  );
  const dbs = await Promise.all(
    toes.map(async () => {
      const db = new pg.Client({ connectionString: platform.databaseUrls.certificationBody });
      await db.connect();
      return db;
    }),
  );
  const perToe = Math.ceil(EVIDENCE / clients);
  const start = Date.now();
  const latencies = (
    await Promise.all(toes.map((toe, index) => driveToe(platform.urls.collector, dbs[index]!, toe, perToe)))
  ).flat();
  const seconds = (Date.now() - start) / 1000;
  await Promise.all(dbs.map((db) => db.end()));
  return { ...summarize(latencies), perSecond: latencies.length / seconds };
}

export async function run(): Promise<void> {
  const platform = await startBenchPlatform();
  try {
    await measure(platform, 'warmup', 2).catch(() => undefined);
    const one = await measure(platform, 'one', 1);
    const sixteen = await measure(platform, 'sixteen', 16);
    const row = (label: string, r: typeof one) =>
      `| ${label} | ${r.count} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.perSecond.toFixed(0)} |`;
    publish(
      'evidence-to-certificate',
      'Evidence to certificate latency',
      [
        'Every evidence changes its certificate: collector (validate, sign DSSE, outbox) → BullMQ delivery → assessment',
        '(verify against the scope keys, store, signed receipt) → evaluation job (rules engine) → posture callback through',
        'the outbox (JWS) → certification body (verify, decide, sign) → certificate event. Closed loop per ToE: the next',
        'evidence is sent when the previous one has changed the certificate. All three services in one Node process,',
        'Postgres 15 and Redis 7 on the same machine.',
        '',
        '| ToEs driven in parallel | evidence | p50 | p95 | p99 | max | transitions/s |',
        '|---|---|---|---|---|---|---|',
        row('1', one),
        row('16', sixteen),
      ].join('\n'),
    );
  } finally {
    await platform.dispose();
  }
}
