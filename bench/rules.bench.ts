// Rule evaluations per second on one core (threshold and CEL), and the time from evidence receipt to the stored
// requirement result at the assessment service (received_at → evaluated_at of the result that used it).
import pg from 'pg';
import { compileRule, evaluate, type EvidenceRecord } from '@cabc/rules';
import { api, certifyToe } from '@cabc/platform';
import { startBenchPlatform } from './lib/bench-platform.ts';
import { ms, summarize } from './lib/stats.ts';
import { publish } from './lib/report.ts';

function evidence(count: number): EvidenceRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `e${index}`,
    receivedAt: new Date(Date.now() - (count - index) * 60_000),
    subjects: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
    predicate: {
      toe: 't',
      kind: 'performance',
      producer: { tool: 'bench' },
      observedAt: new Date(Date.now() - (count - index) * 60_000).toISOString(),
      context: { dataset: 'holdout', split: 'test' },
      measurements: [
        { name: 'accuracy', value: 0.9 + index / 1000 },
        { name: 'f1', value: 0.8 },
      ],
      checks: [{ name: 'schema', status: 'pass' }],
    },
  }));
}

function ratePerSecond(work: () => void, seconds = 2): number {
  for (let index = 0; index < 2_000; index += 1) work(); // warm-up
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let index = 0; index < 500; index += 1) work();
    count += 500;
  }
  return count / seconds;
}

async function receiptToResult(): Promise<ReturnType<typeof summarize> & { skipped: number }> {
  const platform = await startBenchPlatform();
  try {
    const toes = await Promise.all(
      Array.from({ length: 8 }, (_, index) => certifyToe(platform, { org: 'bench', name: `rules-${index}` })),
    );
    const perToe = 63;
    await Promise.all(
      toes.map(async (toe) => {
        for (let index = 0; index < perToe; index += 1) {
          await api('POST', `${platform.urls.collector}/v1/evidence`, {
            token: toe.tokens.pipeline,
            body: {
              toe: toe.toeId,
              subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
              kind: 'performance',
              producer: { tool: 'bench' },
              observedAt: new Date().toISOString(),
              measurements: [{ name: 'accuracy', value: 0.9 + (index % 10) / 100 }],
            },
          });
        }
      }),
    );
    const db = new pg.Client({ connectionString: platform.databaseUrls.assessment });
    await db.connect();
    try {
      const expected = toes.length * perToe;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const { rows } = await db.query<{ pending: string; total: string }>(
          `select (select count(*) from pending_evaluations) as pending, (select count(*) from evidence) as total`,
        );
        if (Number(rows[0]!.total) >= expected && Number(rows[0]!.pending) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { rows } = await db.query<{ latency_ms: number | null }>(`
        select extract(epoch from (min(r.evaluated_at) - e.received_at)) * 1000 as latency_ms
          from evidence e
          left join requirement_results r on r.toe = e.toe and r.evidence_ids @> to_jsonb(array[e.id::text])
         group by e.id, e.received_at`);
      const latencies = rows.flatMap((row) => (row.latency_ms === null ? [] : [Number(row.latency_ms)]));
      return { ...summarize(latencies), skipped: rows.length - latencies.length };
    } finally {
      await db.end();
    }
  } finally {
    await platform.dispose();
  }
}

export async function run(): Promise<void> {
  const scope = { modelDigests: [], datasetDigests: [] };
  const context = { now: new Date(), evidence: evidence(10), scope };
  const threshold = compileRule({
    type: 'threshold',
    selector: { kind: 'performance', metric: 'accuracy' },
    operator: '>=',
    target: 0.9,
  });
  const cel = compileRule({
    type: 'expression',
    kinds: ['performance'],
    expression: 'latest.performance.metrics["accuracy"] >= 0.9 && latest.performance.metrics["f1"] > 0.75',
  });
  const thresholdRate = ratePerSecond(() => evaluate(threshold, context));
  const celRate = ratePerSecond(() => evaluate(cel, context));
  const celFreshRate = ratePerSecond(() => evaluate(cel, { ...context, evidence: evidence(10) }));
  const latency = await receiptToResult();
  publish(
    'rules',
    'Rule evaluation',
    [
      'One core, a context of 10 performance evidence (the rule engine alone, in process). "fresh records" builds the',
      'evidence objects anew for every evaluation, as after a database read, so CEL converts them each time.',
      '',
      '| rule | evaluations/s | aim |',
      '|---|---|---|',
      `| threshold | ${thresholdRate.toFixed(0)} | 20,000 |`,
      `| CEL expression | ${celRate.toFixed(0)} | 20,000 |`,
      `| CEL expression, fresh records | ${celFreshRate.toFixed(0)} | 20,000 |`,
      '',
      `Evidence receipt → stored requirement result at the assessment service (8 ToEs, ${latency.count + latency.skipped} evidence`,
      `through the collector; ${latency.skipped} were folded into a newer evidence's evaluation and have no result of their own):`,
      '',
      '| p50 | p95 | p99 | max |',
      '|---|---|---|---|',
      `| ${ms(latency.p50)} | ${ms(latency.p95)} | ${ms(latency.p99)} | ${ms(latency.max)} |`,
    ].join('\n'),
  );
}
