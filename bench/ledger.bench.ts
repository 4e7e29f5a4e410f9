// The evidence ledger's cost and speed (docs/ledger.md):
// 1. ingest throughput at the assessment service with the ledger on and off (LEDGER_ENABLED), same run, alternating
//    rounds, so the difference is the leaf append (tree-head lock, leaf and node rows) and nothing else;
// 2. inclusion and consistency proof time from the Postgres node store at 1,000,000 entries, bulk-loaded by
//    multi-row INSERT … SELECT (Postgres computes the RFC 6962 hashes level by level), through the store's reader and
//    through GET /v1/ledger/proofs/*.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createDatabase, databaseUrlFor, ensureDatabaseExists, migrateToLatest } from '@cabc/service-kit';
import { accuracyRequirement, certifyToe } from '@cabc/platform';
import { signedEnvelopes } from './lib/signed-envelopes.ts';

const benchRequirements = [{ ...accuracyRequirement(0.9), severity: 'high', critical: false }];
import { generateSigningKey } from '@cabc/crypto';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  rootAt,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../packages/ledger/src/index.ts';
import { createLedgerRepository } from '../services/assessment/src/modules/ledger/ledger.repository.ts';
import { startBenchPlatform } from './lib/bench-platform.ts';
import { publish } from './lib/report.ts';
import { ms, summarize } from './lib/stats.ts';

const EVIDENCE = Number(process.env.BENCH_LEDGER_EVIDENCE ?? 1500);
const CLIENTS = Number(process.env.BENCH_LEDGER_CLIENTS ?? 16);
const ROUNDS = Number(process.env.BENCH_LEDGER_ROUNDS ?? 3);
const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000);
const PROOFS = Number(process.env.BENCH_LEDGER_PROOFS ?? 2000);

type BenchPlatform = Awaited<ReturnType<typeof startBenchPlatform>>;

async function ingest(url: string, bodies: string[], clients: number) {
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    for (let index = next++; index < bodies.length; index = next++) {
      const t0 = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[index]!,
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`assessment answered ${response.status}: ${text}`);
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  return { ...summarize(latencies), perSecond: bodies.length / ((performance.now() - start) / 1000) };
}

/** Waits until the evaluations the last round triggered are done, so they do not run during the next round. */
async function drained(db: Kysely<any>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from pending_evaluations`.execute(db);
    if (rows[0]!.count === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function ingestOnOff() {
  const key = await generateSigningKey();
  const on = await startBenchPlatform({ logLevel: 'error' });
  // Without a ledger the callbacks carry no checkpoint: the certification body's ledger cross-check is off too.
  const off = await startBenchPlatform({
    logLevel: 'error',
    env: { assessment: { LEDGER_ENABLED: 'false' }, certificationBody: { AUDITOR_LEDGER_CHECK: 'false' } },
  });
  const dbs = {
    on: createDatabase<any>(on.databaseUrls.assessment, { max: 1 }),
    off: createDatabase<any>(off.databaseUrls.assessment, { max: 1 }),
  };
  try {
    const targets = {
      on: {
        url: `${on.urls.assessment}/v1/evidence`,
        toe: (
          await certifyToe(on, {
            org: 'bench',
            name: 'ledger-bench',
            requirements: benchRequirements,
            collectorKeys: [key.publicJwk],
          })
        ).toeId,
      },
      off: {
        url: `${off.urls.assessment}/v1/evidence`,
        toe: (
          await certifyToe(off, {
            org: 'bench',
            name: 'ledger-bench',
            requirements: benchRequirements,
            collectorKeys: [key.publicJwk],
          })
        ).toeId,
      },
    };
    const results: Record<'on' | 'off', Awaited<ReturnType<typeof ingest>>[]> = { on: [], off: [] };
    for (const mode of ['on', 'off'] as const) {
      await ingest(targets[mode].url, signedEnvelopes(key, [targets[mode].toe], `warmup-${mode}`, 300), CLIENTS);
      await drained(dbs[mode]);
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so drift (caches, autovacuum) does not favour one side.
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const mode of order) {
        const bodies = signedEnvelopes(key, [targets[mode].toe], `r${round}-${mode}`, EVIDENCE);
        results[mode].push(await ingest(targets[mode].url, bodies, CLIENTS));
        await drained(dbs[mode]);
      }
    }
    const { rows } = await sql<{ size: number }>`select size from ledger_head`.execute(dbs.on);
    return { results, ledgerSize: Number(rows[0]!.size) };
  } finally {
    await dbs.on.destroy();
    await dbs.off.destroy();
    await on.dispose();
    await off.dispose();
  }
}

/**
 * A log of `entries` leaves written straight into the node store: leaf i's hash is leafHash(int8 i, big-endian), and
 * every perfect subtree above is computed by Postgres, one INSERT … SELECT per level; then the tree head.
 */
async function bulkLoad(db: Kysely<any>, entries: number): Promise<number> {
  const start = performance.now();
  await sql`insert into ledger_nodes (level, idx, hash)
            select 0, i, sha256('\\x00'::bytea || int8send(i)) from generate_series(0, ${entries - 1}::bigint) i`.execute(
    db,
  );
  await sql`insert into ledger_leaves (leaf_index, evidence_id, envelope_sha256, leaf_hash)
            select idx, gen_random_uuid(), encode(sha256(int8send(idx)), 'hex'), hash from ledger_nodes where level = 0`.execute(
    db,
  );
  await completeTree(db, entries);
  return (performance.now() - start) / 1000;
}

/** Above `entries` level-0 nodes: every perfect subtree, computed by Postgres one level at a time; then the head. */
export async function completeTree(db: Kysely<any>, entries: number): Promise<void> {
  for (let level = 1; 2 ** level <= entries; level++) {
    await sql`insert into ledger_nodes (level, idx, hash)
              select ${level}, l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash)
              from ledger_nodes l join ledger_nodes r on r.level = l.level and r.idx = l.idx + 1
              where l.level = ${level - 1} and l.idx % 2 = 0`.execute(db);
  }
  await sql`analyze ledger_nodes`.execute(db);
  const ledger = createLedgerRepository(db);
  const edge = await ledger.reader(edgeCoords(entries));
  await sql`update ledger_head set size = ${entries}, edge = ${Buffer.concat(edge)} where id`.execute(db);
}

/** The perfect subtrees tiling [0, size), largest first (what the tree head keeps). */
function edgeCoords(size: number) {
  const coords: { level: number; index: number }[] = [];
  let position = 0;
  for (let level = Math.floor(Math.log2(size)); level >= 0; level--) {
    if (position + 2 ** level <= size) {
      coords.push({ level, index: position / 2 ** level });
      position += 2 ** level;
    }
  }
  return coords;
}

const int8 = (value: number) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(value));
  return bytes;
};

async function proofsAtScale() {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = databaseUrlFor(serverUrl, `cabc_bench_ledger_${randomBytes(4).toString('hex')}`);
  await ensureDatabaseExists(url);
  const db = createDatabase<any>(url, { max: 4 });
  let platform: BenchPlatform | undefined;
  try {
    await migrateToLatest(db, 'assessment');
    process.stderr.write(`bench: loading ${ENTRIES} ledger entries\n`);
    const loadSeconds = await bulkLoad(db, ENTRIES);
    const ledger = createLedgerRepository(db);

    // The store agrees with an independent in-memory computation of the same leaves.
    const leaves = Array.from({ length: ENTRIES }, (_, i) => leafHash(int8(i)));
    const root = rootOf(leaves);
    if (!(await rootAt(ENTRIES, ledger.reader)).equals(root))
      throw new Error('bulk-loaded tree does not match the in-memory root');

    const random = (below: number) => Math.floor(Math.random() * below);
    const time = async (work: () => Promise<unknown>) => {
      const t0 = performance.now();
      await work();
      return performance.now() - t0;
    };
    for (let i = 0; i < 200; i++) await inclusionProof(random(ENTRIES), ENTRIES, ledger.reader, { treeSize: ENTRIES });
    const inclusion: number[] = [];
    for (let i = 0; i < PROOFS; i++) {
      const index = random(ENTRIES);
      inclusion.push(
        await time(async () => {
          const proof = await inclusionProof(index, ENTRIES, ledger.reader, { treeSize: ENTRIES });
          if (i % 100 === 0 && !verifyInclusion(leaves[index]!, index, ENTRIES, proof, root))
            throw new Error(`proof of ${index} does not verify`);
        }),
      );
    }
    const consistency: number[] = [];
    for (let i = 0; i < PROOFS; i++) {
      const first = 1 + random(ENTRIES - 1);
      consistency.push(
        await time(async () => {
          const proof = await consistencyProof(first, ENTRIES, ledger.reader, { treeSize: ENTRIES });
          if (i % 400 === 0 && !verifyConsistency(first, ENTRIES, proof, rootOf(leaves.slice(0, first)), root)) {
            throw new Error(`consistency ${first} → ${ENTRIES} does not verify`);
          }
        }),
      );
    }

    // The same through the service's HTTP API (public, no token).
    platform = await startBenchPlatform({ logLevel: 'error', databaseUrls: { assessment: url } });
    const base = platform.urls.assessment;
    for (let i = 0; i < 200; i++)
      await (await fetch(`${base}/v1/ledger/proofs/inclusion?index=${random(ENTRIES)}&size=${ENTRIES}`)).text();
    const http: number[] = [];
    for (let i = 0; i < PROOFS; i++) {
      const index = random(ENTRIES);
      http.push(
        await time(async () => {
          const response = await fetch(`${base}/v1/ledger/proofs/inclusion?index=${index}&size=${ENTRIES}`);
          const body = (await response.json()) as { hashes: string[] };
          if (response.status !== 200) throw new Error(`proof answered ${response.status}`);
          if (
            i % 100 === 0 &&
            !verifyInclusion(
              leaves[index]!,
              index,
              ENTRIES,
              body.hashes.map((h) => Buffer.from(h, 'base64')),
              root,
            )
          ) {
            throw new Error(`HTTP proof of ${index} does not verify`);
          }
        }),
      );
    }
    const { rows } = await sql<{
      bytes: string;
    }>`select pg_size_pretty(pg_total_relation_size('ledger_nodes')) as bytes`.execute(db);
    return {
      loadSeconds,
      inclusion: summarize(inclusion),
      consistency: summarize(consistency),
      http: summarize(http),
      nodesSize: rows[0]!.bytes,
    };
  } finally {
    await db.destroy();
    // The platform's dispose drops its databases, the bulk-loaded one included.
    if (platform) await platform.dispose();
    else {
      const admin = createDatabase<any>(databaseUrlFor(serverUrl, 'postgres'), { max: 1 });
      await sql`drop database if exists ${sql.id(new URL(url).pathname.slice(1))} with (force)`.execute(admin);
      await admin.destroy();
    }
  }
}

export async function run(): Promise<void> {
  const { results, ledgerSize } = await ingestOnOff();
  const proofs = await proofsAtScale();

  const rate = (mode: 'on' | 'off') => median(results[mode].map((result) => result.perSecond));
  const slower = (100 * (rate('off') - rate('on'))) / rate('off');
  const row = (mode: 'on' | 'off') => {
    const all = results[mode];
    return `| ${mode === 'on' ? 'on (default)' : 'off'} | ${all.map((result) => result.perSecond.toFixed(0)).join(', ')} | **${rate(mode).toFixed(0)}** | ${ms(median(all.map((r) => r.p50)))} | ${ms(median(all.map((r) => r.p99)))} |`;
  };
  const proofRow = (label: string, summary: ReturnType<typeof summarize>) =>
    `| ${label} | ${summary.count} | ${ms(summary.p50)} | ${ms(summary.p95)} | ${ms(summary.p99)} | ${ms(summary.max)} |`;
  publish(
    'ledger',
    'Evidence ledger: ingest with the ledger on and off, proofs at 1,000,000 entries',
    [
      `**Ingest.** \`POST /v1/evidence\` at the assessment service, ${CLIENTS} concurrent clients, ${EVIDENCE} distinct signed envelopes`,
      `per round, ${ROUNDS} rounds per setting, alternating; two platforms in one process that differ only in \`LEDGER_ENABLED\`.`,
      'With the ledger on, concurrent evidence transactions are group-committed: one transaction locks the tree head,',
      'gives consecutive log indexes, stores each evidence with its receipt (signed with its index), appends all their',
      'leaves and nodes in one statement and commits once. Evaluation runs in the same process and is drained between',
      'rounds. The machine may be shared: compare the rounds, not single figures.',
      '',
      '| ledger | evidence/s per round | median | p50 latency | p99 latency |',
      '|---|---|---|---|---|',
      row('on'),
      row('off'),
      '',
      `With the ledger: **${slower >= 0 ? `${slower.toFixed(1)} % slower` : `${(-slower).toFixed(1)} % faster`}** than without (aim: under 10 % slower)` +
        `${slower < 0 ? '; group commit also shares one commit among the evidence of a batch, which the ledger-off path does not' : ''}. ${ledgerSize} leaves appended.`,
      '',
      `**Proofs at ${ENTRIES.toLocaleString('en-US')} entries.** Bulk-loaded into a fresh assessment database in ${proofs.loadSeconds.toFixed(1)} s`,
      `(${ENTRIES.toLocaleString('en-US')} leaf rows and ~${(2 * ENTRIES).toLocaleString('en-US')} node rows, ${proofs.nodesSize} with index), its root checked against`,
      'an in-memory computation. Random indexes, one at a time after a warm-up; every 100th inclusion and 400th consistency',
      'proof is verified against the in-memory root.',
      '',
      '| proof | samples | p50 | p95 | p99 | max |',
      '|---|---|---|---|---|---|',
      proofRow('inclusion, store reader (one query)', proofs.inclusion),
      proofRow('consistency, store reader (one query)', proofs.consistency),
      proofRow('inclusion, `GET /v1/ledger/proofs/inclusion` end to end', proofs.http),
      '',
      'Aim: under 10 ms per inclusion proof at 1,000,000 entries.',
    ].join('\n'),
  );
}
