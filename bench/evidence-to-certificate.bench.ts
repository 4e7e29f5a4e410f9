// Latency from POST /v1/evidence at the collector to the certificate's state change at the certification body.
// t0: just before the POST; t1: the certificate's issued_at, stamped by the certification body when it applied the
// callback (same machine, same clock), so polling granularity does not enter the figure.
import pg from 'pg';
import { startBenchPlatform } from './lib/bench-platform.ts';
import { ms, summarize } from './lib/stats.ts';
import { publish } from './lib/report.ts';

const EVIDENCE = Number(process.env.BENCH_EVIDENCE ?? 500);

function evidenceFor(toe: string) {
  return JSON.stringify({
    toe,
    subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
    kind: 'performance',
    producer: { tool: 'bench' },
    observedAt: new Date().toISOString(),
    measurements: [{ name: 'accuracy', value: 0.97 }],
  });
}

async function measure(collectorUrl: string, certificationDbUrl: string, runLabel: string, concurrency: number) {
  const db = new pg.Client({ connectionString: certificationDbUrl });
  await db.connect();
  const started = new Map<string, number>();
  const toes = Array.from({ length: EVIDENCE }, (_, index) => `bench-${runLabel}-${index}`);
  let next = 0;
  const wallStart = Date.now();
  const worker = async () => {
    while (next < toes.length) {
      const toe = toes[next++]!;
      started.set(toe, Date.now());
      const response = await fetch(`${collectorUrl}/v1/evidence`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: evidenceFor(toe) });
      if (response.status !== 201) throw new Error(`collector answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const issued = new Map<string, number>();
  const deadline = Date.now() + 120_000;
  while (issued.size < toes.length && Date.now() < deadline) {
    const { rows } = await db.query<{ toe: string; issued_at: Date }>(
      `select toe, issued_at from certificates where toe like $1`,
      [`bench-${runLabel}-%`],
    );
    for (const row of rows) issued.set(row.toe, row.issued_at.getTime());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await db.end();
  if (issued.size < toes.length) throw new Error(`only ${issued.size} of ${toes.length} certificates issued within 120 s`);
  const wallSeconds = (Math.max(...issued.values()) - wallStart) / 1000;
  return { ...summarize(toes.map((toe) => issued.get(toe)! - started.get(toe)!)), wallSeconds };
}

export async function run(): Promise<void> {
  const platform = await startBenchPlatform();
  try {
    // Warm-up: connections, JIT, key caches.
    await measure(platform.urls.collector, platform.databaseUrls.certificationBody, 'warmup', 4).catch(() => undefined);
    const sequential = await measure(platform.urls.collector, platform.databaseUrls.certificationBody, 'seq', 1);
    const concurrent = await measure(platform.urls.collector, platform.databaseUrls.certificationBody, 'c16', 16);
    const row = (label: string, r: typeof sequential) =>
      `| ${label} | ${r.count} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${(r.count / r.wallSeconds).toFixed(0)} |`;
    publish(
      'evidence-to-certificate',
      'Evidence to certificate latency',
      [
        'Each piece of evidence is the first compliant evidence of its own ToE, so each one issues a certificate: collector',
        '(validate, sign DSSE, outbox) → BullMQ delivery → assessment (verify, store, receipt) → evaluation job →',
        'posture callback through the outbox (JWS) → certification body (verify, decide, sign certificate JWT).',
        'All three services in one process on Postgres 15 and Redis 7 on the same machine.',
        '',
        '| clients | evidence | p50 | p95 | p99 | max | certificates/s |',
        '|---|---|---|---|---|---|---|',
        row('1 (one at a time)', sequential),
        row('16 concurrent', concurrent),
      ].join('\n'),
    );
  } finally {
    await platform.dispose();
  }
}
