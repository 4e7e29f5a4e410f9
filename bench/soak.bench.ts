// Soak (issue 16 item 5): the platform as the run command starts it (each service's API and workers a process of its
// own, supervised), first driven as hard as 32 clients can for a short while to find its maximum, then for
// `--minutes` (default 10) at a steady half of it, open loop. Every process reports its RSS and event-loop delay every
// 10 s (bench/lib/process-probe.ts); the result is each process's RSS growth after the warm-up and its worst p99.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import pg from 'pg';
import { accuracyRequirement, certifyToe, startPlatformProcesses, type PlatformProcesses } from '@cabc/platform';
import { databaseUrlFor } from '@cabc/service-kit';
import { publish } from './lib/report.ts';
import { ms, summarize } from './lib/stats.ts';

const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const MINUTES = Number(argument('minutes') ?? process.env.BENCH_SOAK_MINUTES ?? 10);
const SAMPLE_MS = Number(process.env.BENCH_SOAK_SAMPLE_MS ?? 10_000);
const PROBE_SECONDS = Number(process.env.BENCH_SOAK_PROBE_SECONDS ?? 30);
const TOES = 16;

interface Sample {
  at: number;
  rss: number;
  p99Ms: number;
  maxMs: number;
}

const evidenceFor = (toe: string, index: number) => ({
  toe,
  subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
  kind: 'performance',
  producer: { tool: 'bench-soak', pipelineRunId: `soak-${index}` },
  observedAt: new Date().toISOString(),
  measurements: [{ name: 'accuracy', value: 0.95 + (index % 40) / 1000 }],
});

async function send(platform: PlatformProcesses, toe: string, token: string, index: number) {
  const t0 = performance.now();
  const response = await fetch(`${platform.urls.collector}/v1/evidence`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(evidenceFor(toe, index)),
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`collector answered ${response.status}`);
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const runId = randomBytes(4).toString('hex');
  const samples = new Map<string, Sample[]>();
  let started = Date.now();
  let buffered = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (buffered + chunk.toString('utf8')).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^([a-z-]+) \| (\{"probe".*\})$/.exec(line);
        if (match) {
          const { probe } = JSON.parse(match[2]!) as { probe: Sample };
          const list = samples.get(match[1]!) ?? [];
          list.push({ ...probe, at: Date.now() - started });
          samples.set(match[1]!, list);
        } else if (/"level":(50|60)/.test(line) || line.startsWith('supervisor')) process.stderr.write(`${line}\n`);
      }
      done();
    },
  });
  const platform = await startPlatformProcesses({
    databaseUrl,
    databasePrefix: `cabc_bench_${runId}`,
    redisUrl,
    queuePrefix: `cabc-bench-${runId}`,
    keyEncryptionSecret: randomBytes(24).toString('base64url'),
    logLevel: 'warn',
    output,
    execArgv: ['--import', fileURLToPath(new URL('./lib/process-probe.ts', import.meta.url))],
    baseEnv: { PROBE_INTERVAL_MS: String(SAMPLE_MS) },
    env: {
      assessment: { EVIDENCE_RATE_LIMIT_PER_ADDRESS: '1000000000', EVIDENCE_RATE_LIMIT_PER_TOE: '1000000000' },
    },
  });
  try {
    const toes: Awaited<ReturnType<typeof certifyToe>>[] = [];
    for (let index = 0; index < TOES; index++) {
      toes.push(
        await certifyToe(platform, {
          org: 'bench',
          name: `soak-${index}`,
          requirements: [{ ...accuracyRequirement(0.9), severity: 'high', critical: false }],
        }),
      );
    }
    // The maximum: 32 closed-loop clients for PROBE_SECONDS.
    let index = 0;
    const probeEnd = Date.now() + PROBE_SECONDS * 1000;
    const client = async () => {
      while (Date.now() < probeEnd) {
        const toe = toes[index % TOES]!;
        await send(platform, toe.toeId, toe.tokens.pipeline, index++);
      }
    };
    const probeStart = Date.now();
    await Promise.all(Array.from({ length: 32 }, client));
    const maximum = index / ((Date.now() - probeStart) / 1000);
    const rate = maximum / 2;
    process.stderr.write(
      `bench: soak: maximum ${maximum.toFixed(0)} evidence/s; ${MINUTES} min at ${rate.toFixed(0)}/s\n`,
    );

    // Open loop: every 100 ms the evidence due by then is sent, whatever the answers.
    for (const list of samples.values()) list.length = 0;
    started = Date.now();
    const end = started + MINUTES * 60_000;
    const latencies: number[] = [];
    const inFlight = new Set<Promise<void>>();
    let due = 0;
    let sent = 0;
    let failed = 0;
    while (Date.now() < end) {
      due += rate / 10;
      for (; sent < Math.floor(due); sent++) {
        const toe = toes[sent % TOES]!;
        const request = send(platform, toe.toeId, toe.tokens.pipeline, index++).then(
          (latency) => void latencies.push(latency),
          () => void (failed += 1),
        );
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(inFlight);
    const backlog = await undelivered(platform);
    report({ maximum, rate, sent, failed, latency: summarize(latencies), backlog, samples });
  } finally {
    await platform.close();
    await dropDatabases(databaseUrl, platform.databaseUrls, redisUrl, `cabc-bench-${runId}`);
  }
}

/** Outbox rows not yet delivered at the end, per sending service (a growing backlog would mean the rate is too high). */
async function undelivered(platform: PlatformProcesses) {
  const counts: Record<string, number> = {};
  for (const [service, url] of Object.entries(platform.databaseUrls)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>(
        `select count(*) as count from outbox where delivered_at is null`,
      );
      counts[service] = Number(rows[0]!.count);
    } catch {
      // A service without an outbox (the certification body's webhooks have their own table).
    } finally {
      await client.end();
    }
  }
  return counts;
}

async function dropDatabases(serverUrl: string, urls: Record<string, string>, redisUrl: string, prefix: string) {
  const admin = new pg.Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
  await admin.connect();
  for (const url of Object.values(urls))
    await admin.query(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
  await admin.end();
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

function report(result: {
  maximum: number;
  rate: number;
  sent: number;
  failed: number;
  latency: ReturnType<typeof summarize>;
  backlog: Record<string, number>;
  samples: Map<string, Sample[]>;
}) {
  const warmupMs = Math.max(60_000, (MINUTES * 60_000) / 5);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const rows = [...result.samples.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => {
      const after = list.filter((sample) => sample.at >= warmupMs);
      const first = after[0] ?? list[0]!;
      const last = list.at(-1)!;
      const growth = (100 * (last.rss - first.rss)) / first.rss;
      const worstP99 = Math.max(...after.map((sample) => sample.p99Ms));
      const medianP99 = summarize(after.map((sample) => sample.p99Ms)).p50;
      return `| ${name} | ${list.length} | ${mib(first.rss)} | ${mib(last.rss)} | ${growth.toFixed(1)} % | ${ms(medianP99)} | ${ms(worstP99)} | ${ms(Math.max(...after.map((s) => s.maxMs)))} |`;
    });
  publish(
    'soak',
    `Soak: ${MINUTES} minutes at half the measured maximum, six processes`,
    [
      "The platform as the run command starts it: each service's API and its workers a process of its own under the",
      `supervisor, Postgres and Redis on the same machine. Maximum: ${TOES} ToEs, 32 closed-loop clients posting unified`,
      `evidence to the collector for ${PROBE_SECONDS} s: **${result.maximum.toFixed(0)} evidence/s** accepted. Then ${MINUTES} min open loop at`,
      `${result.rate.toFixed(0)}/s (${result.sent} evidence, ${result.failed} failed; collector answer p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}),`,
      'each evidence signed, delivered to the assessment, verified, stored, evaluated, its posture called back to the',
      'certification body. Every process wrote its RSS and the event-loop delay of the last 10 s window every 10 s',
      `(bench/lib/process-probe.ts); growth is from the first sample after the warm-up (${(warmupMs / 60_000).toFixed(0)} min) to the last.`,
      `Undelivered outbox rows at the end: ${Object.entries(result.backlog)
        .map(([service, count]) => `${service} ${count}`)
        .join(', ')}.`,
      '',
      '| process | samples | RSS after warm-up | RSS at end | growth (aim < 10 %) | p99 delay, median window | p99 delay, worst window (aim < 50 ms) | max delay |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}
