// Flat to 10 million evidence (issue 16 item 4): two platforms in one run, one on an empty assessment database and
// one whose assessment database holds `--rows` evidence rows (default 10,000,000) of 1,000 ToEs with their ledger
// leaves and Merkle nodes, loaded with COPY; on both, the same ToE-level figures: ingest rate, posture read, a page of
// the evidence list (the newest and one deep in the ToE's history), inclusion proofs. The ratios loaded / empty are
// the result (aim: within 20 %).
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { generateSigningKey } from '@cabc/crypto';
import { accuracyRequirement, certifyToe } from '@cabc/platform';
import { createDatabase } from '@cabc/service-kit';
import { ingest } from './ingest.bench.ts';
import { startBenchPlatform } from './lib/bench-platform.ts';
import { publish } from './lib/report.ts';
import { signedEnvelopes } from './lib/signed-envelopes.ts';
import { ms, summarize } from './lib/stats.ts';
import { completeTree } from './ledger.bench.ts';

const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const ROWS = Number(argument('rows') ?? process.env.BENCH_SCALE_ROWS ?? 10_000_000);
const TOES = Number(argument('toes') ?? process.env.BENCH_SCALE_TOES ?? 1_000);
const INGEST = Number(process.env.BENCH_SCALE_INGEST ?? 1_000);
const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 16);
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES ?? 300);

type BenchPlatform = Awaited<ReturnType<typeof startBenchPlatform>>;
const benchRequirements = [{ ...accuracyRequirement(0.9), severity: 'high', critical: false }];
// The benchmark's own load must not be throttled (the limits are per address, and every client is 127.0.0.1).
const unthrottled = {
  assessment: { EVIDENCE_RATE_LIMIT_PER_ADDRESS: '1000000000', EVIDENCE_RATE_LIMIT_PER_TOE: '1000000000' },
};

/**
 * `rows` evidence rows round-robin over `toes` ToEs (the first is `measuredToe`, registered through the API; the others
 * are rows of their own), as COPY text: each row a distinct envelope (its digest true), observed in the past.
 */
function evidenceRows(rows: number, toeIds: string[], keyid: string): Readable {
  const base = Date.now() - rows * 10 - 86_400_000;
  const chunk = 5_000;
  let next = 0;
  return new Readable({
    read() {
      if (next >= rows) {
        this.push(null);
        return;
      }
      const lines: string[] = [];
      for (const end = Math.min(rows, next + chunk); next < end; next++) {
        const toe = toeIds[next % toeIds.length]!;
        const observedAt = new Date(base + next * 10).toISOString();
        const predicate = JSON.stringify({
          toe,
          kind: 'performance',
          producer: { tool: 'bench-scale', pipelineRunId: `scale-${next}` },
          observedAt,
          context: { dataset: 'holdout', split: 'test' },
          measurements: [
            { name: 'accuracy', value: 0.9 + (next % 100) / 1000 },
            { name: 'f1', value: 0.88 },
          ],
          checks: [{ name: 'run_status', status: 'pass' }],
          submitter: { org: 'bench', subject: 'bench-pipeline', role: 'pipeline' },
        });
        const payload = Buffer.from(`{"predicate":${predicate}}`).toString('base64');
        const envelope = `{"payloadType":"application/vnd.in-toto+json","payload":"${payload}","signatures":[{"keyid":"${keyid}","sig":"${'A'.repeat(86)}=="}]}`;
        const digest = createHash('sha256').update(envelope).digest('hex');
        const statement = createHash('sha256').update(payload).digest('hex');
        lines.push(
          [
            randomUUID(),
            next + 1,
            digest,
            statement,
            envelope,
            toe,
            'performance',
            keyid,
            '[{"name":"model.onnx","digest":{"sha256":"bbbb"}}]',
            predicate,
            observedAt,
            observedAt,
            'scale-bench-receipt',
          ].join('\t'),
        );
      }
      this.push(`${lines.join('\n')}\n`);
    },
  });
}

/** COPY of the evidence, its ledger leaves and nodes (Postgres hashes the tree), the tree head; then ANALYZE. */
async function load(platform: BenchPlatform, measuredToe: string, keyid: string) {
  const db = createDatabase<any>(platform.databaseUrls.assessment, { max: 2 });
  const client = new pg.Client({ connectionString: platform.databaseUrls.assessment });
  await client.connect();
  const seconds: Record<string, number> = {};
  const timed = async (what: string, work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    seconds[what] = (performance.now() - t0) / 1000;
    process.stderr.write(`bench: scale: ${what} in ${seconds[what]!.toFixed(1)} s\n`);
  };
  try {
    const toeIds = [measuredToe, ...Array.from({ length: TOES - 1 }, (_, index) => `toe-scale-${index + 1}`)];
    await sql`insert into toes (id, org, name, business_purpose, field_of_operation, risk_class, owner, artifacts, created_by)
              select copy.id, t.org, copy.id, t.business_purpose, t.field_of_operation, t.risk_class, t.owner, t.artifacts, t.created_by
              from toes t, unnest(${toeIds.slice(1)}::text[]) as copy(id) where t.id = ${measuredToe}`.execute(db);
    await timed('COPY evidence', () =>
      pipeline(
        evidenceRows(ROWS, toeIds, keyid),
        client.query(
          copyFrom(
            'copy evidence (id, sequence, envelope_sha256, statement_sha256, envelope, toe, kind, keyid, subjects, predicate, observed_at, received_at, receipt) from stdin',
          ),
        ),
      ),
    );
    await sql`select setval(pg_get_serial_sequence('evidence', 'sequence'), ${ROWS})`.execute(db);
    await timed('ledger leaves', () =>
      sql`insert into ledger_nodes (level, idx, hash)
          select 0, sequence - 1, sha256('\\x00'::bytea || decode(envelope_sha256, 'hex')) from evidence`.execute(db),
    );
    await timed('ledger leaf rows', () =>
      sql`insert into ledger_leaves (leaf_index, evidence_id, envelope_sha256, leaf_hash)
          select e.sequence - 1, e.id, e.envelope_sha256, n.hash
          from evidence e join ledger_nodes n on n.level = 0 and n.idx = e.sequence - 1`.execute(db),
    );
    await timed('ledger tree', () => completeTree(db, ROWS));
    // As a database of that size is in production: vacuumed (visibility map, hint bits) and analyzed, so that the
    // autovacuum a bulk load triggers does not run during the measurement.
    await timed('vacuum analyze', () => sql`vacuum (analyze)`.execute(db));
    const { rows } = await sql<{
      size: string;
    }>`select pg_size_pretty(pg_database_size(current_database())) as size`.execute(db);
    return { seconds, databaseSize: rows[0]!.size };
  } finally {
    await client.end();
    await db.destroy();
  }
}

async function drained(platform: BenchPlatform): Promise<void> {
  const db = createDatabase<any>(platform.databaseUrls.assessment, { max: 1 });
  try {
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const { rows } = await sql<{ count: number }>`select count(*)::int as count from pending_evaluations`.execute(db);
      if (rows[0]!.count === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await db.destroy();
  }
}

async function latencies(samples: number, request: (index: number) => Promise<Response>) {
  for (let index = 0; index < 20; index++) await (await request(index)).arrayBuffer();
  const times: number[] = [];
  for (let index = 0; index < samples; index++) {
    const t0 = performance.now();
    const response = await request(index);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${response.url} answered ${response.status}`);
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

interface Side {
  platform: BenchPlatform;
  toe: string;
  auditor: string;
}

async function measure(side: Side, key: Awaited<ReturnType<typeof generateSigningKey>>, label: string) {
  const { platform, toe, auditor } = side;
  const bodies = signedEnvelopes(key, [toe], `scale-${label}`, INGEST);
  const rate = await ingest(`${platform.urls.assessment}/v1/evidence`, bodies, CLIENTS);
  await drained(platform);
  const headers = { authorization: `Bearer ${auditor}` };
  const base = platform.urls.assessment;
  const posture = await latencies(SAMPLES, () => fetch(`${base}/v1/toes/${toe}/posture`, { headers }));
  const newest = await latencies(SAMPLES / 3, () => fetch(`${base}/v1/toes/${toe}/evidence?limit=50`, { headers }));
  const db = createDatabase<any>(platform.databaseUrls.assessment, { max: 1 });
  const { rows } = await sql<{ size: string; middle: string }>`
    select (select size from ledger_head)::text as size,
           (select percentile_disc(0.5) within group (order by sequence) from evidence where toe = ${toe})::text as middle`.execute(
    db,
  );
  await db.destroy();
  const size = Number(rows[0]!.size);
  // A page half-way down the ToE's history (its cursor: the sequence it starts before).
  const cursor = Buffer.from(JSON.stringify({ sequence: Number(rows[0]!.middle) })).toString('base64url');
  const deep = await latencies(SAMPLES / 3, () =>
    fetch(`${base}/v1/toes/${toe}/evidence?limit=50&cursor=${cursor}`, { headers }),
  );
  const proof = await latencies(SAMPLES, () =>
    fetch(`${base}/v1/ledger/proofs/inclusion?index=${Math.floor(Math.random() * size)}&size=${size}`),
  );
  return { rate: rate.perSecond, ingestP50: rate.p50, posture, newest, deep, proof, size };
}

export async function run(): Promise<void> {
  const key = await generateSigningKey();
  const sides: Record<'empty' | 'loaded', Side | undefined> = { empty: undefined, loaded: undefined };
  try {
    for (const name of ['empty', 'loaded'] as const) {
      const platform = await startBenchPlatform({ logLevel: process.env.BENCH_LOG_LEVEL ?? 'error', env: unthrottled });
      sides[name] = { platform, toe: '', auditor: await platform.token('auditor', 'bench') };
      const certified = await certifyToe(platform, {
        org: 'bench',
        name: `scale-${name}`,
        requirements: benchRequirements,
        collectorKeys: [key.publicJwk],
      });
      sides[name]!.toe = certified.toeId;
    }
    const empty = sides.empty!;
    const loaded = sides.loaded!;
    process.stderr.write(`bench: scale: loading ${ROWS.toLocaleString('en-US')} evidence rows of ${TOES} ToEs\n`);
    const loading = await load(loaded.platform, loaded.toe, key.kid);
    // Alternating rounds, so that drift on a shared machine does not favour one side.
    const results = {
      empty: [] as Awaited<ReturnType<typeof measure>>[],
      loaded: [] as Awaited<ReturnType<typeof measure>>[],
    };
    for (const [round, order] of [
      ['1', ['empty', 'loaded']],
      ['2', ['loaded', 'empty']],
    ] as const) {
      for (const name of order) results[name].push(await measure(sides[name]!, key, `${name}-${round}`));
    }
    report(results, loading);
  } finally {
    for (const side of Object.values(sides)) await side?.platform.dispose();
  }
}

function report(
  results: Record<'empty' | 'loaded', Awaited<ReturnType<typeof measure>>[]>,
  loading: Awaited<ReturnType<typeof load>>,
) {
  const best = <T>(list: T[], value: (item: T) => number, higher = false) =>
    list.map(value).sort((a, b) => (higher ? b - a : a - b))[0]!;
  const figures: [string, (r: Awaited<ReturnType<typeof measure>>) => number, boolean, (v: number) => string][] = [
    [`ingest, \`POST /v1/evidence\`, ${CLIENTS} clients (evidence/s)`, (r) => r.rate, true, (v) => v.toFixed(0)],
    ['ingest latency p50', (r) => r.ingestP50, false, ms],
    ['posture read `GET /v1/toes/{id}/posture` p50', (r) => r.posture.p50, false, ms],
    ['posture read p99', (r) => r.posture.p99, false, ms],
    ['evidence list, newest page of 50, p50', (r) => r.newest.p50, false, ms],
    ['evidence list, a page of 50 half-way down the ToE, p50', (r) => r.deep.p50, false, ms],
    ['inclusion proof `GET /v1/ledger/proofs/inclusion` p50', (r) => r.proof.p50, false, ms],
    ['inclusion proof p99', (r) => r.proof.p99, false, ms],
  ];
  const rows = figures.map(([label, value, higher, format]) => {
    const e = best(results.empty, value, higher);
    const l = best(results.loaded, value, higher);
    const worse = higher ? (100 * (e - l)) / e : (100 * (l - e)) / e;
    const verdict = worse <= 20 ? 'within 20 %' : '**over 20 %**';
    return `| ${label} | ${format(e)} | ${format(l)} | ${worse >= 0 ? `${worse.toFixed(0)} % worse` : `${(-worse).toFixed(0)} % better`} (${verdict}) |`;
  });
  const load = Object.entries(loading.seconds)
    .map(([what, s]) => `${what} ${s.toFixed(0)} s`)
    .join(', ');
  publish(
    'scale',
    `Scale: ${ROWS.toLocaleString('en-US')} evidence of ${TOES.toLocaleString('en-US')} ToEs against an empty database`,
    [
      `Two platforms in one process, in the same run. The loaded one's assessment database got ${ROWS.toLocaleString('en-US')}`,
      `evidence rows round-robin over ${TOES} ToEs (${Math.round(ROWS / TOES).toLocaleString('en-US')} each, the measured ToE among them) with COPY,`,
      'their measurement index rows (the insert trigger), ledger leaves and the Merkle nodes above them (hashed by',
      `Postgres), and the tree head: ${load}; database ${loading.databaseSize}. Then, on both, alternating, two rounds:`,
      `${INGEST} new signed evidence to the measured ToE from ${CLIENTS} clients (its evaluations drained), then one request at a`,
      `time: ${SAMPLES} posture reads, ${SAMPLES / 3} newest evidence pages and ${SAMPLES / 3} pages half-way down the ToE's history`,
      `(each item checked again: digest, signature, receipt), ${SAMPLES} inclusion proofs of random indexes. Best round of each side.`,
      '',
      '| figure | empty | loaded | loaded vs empty |',
      '|---|---|---|---|',
      ...rows,
      '',
      `Ledger size at the end: ${results.empty.at(-1)!.size.toLocaleString('en-US')} (empty) and ${results.loaded.at(-1)!.size.toLocaleString('en-US')} (loaded).`,
    ].join('\n'),
  );
}
