import { expect } from 'vitest';
import type { FaultCluster } from './fault-cluster.ts';

/** One performance evidence of `toe`; `index` makes each one distinct. */
export function evidenceBody(toe: string, index: number) {
  return {
    toe,
    subject: [{ name: 'model.onnx', digest: { sha256: 'a'.repeat(64) } }],
    kind: 'performance',
    producer: { tool: 'pytest-eval', toolVersion: '1.0.0', pipelineRunId: `fault-run-${index}` },
    observedAt: new Date(Date.now() - 60_000 + index).toISOString(),
    context: { dataset: 'holdout', split: 'test' },
    measurements: [{ name: 'accuracy', value: 0.9 + index / 100_000 }],
  };
}

export interface PushAnswer {
  ms: number;
  status: number | 'network';
  problem?: { contentType: string; retryAfter: string | null; type?: string };
}

export interface PushResult {
  /** Idempotency key → envelope digest, for every push the collector acknowledged (201 or 200). */
  acked: Map<string, string>;
  /** Every answer (or network failure) of every attempt, in order. */
  answers: PushAnswer[];
}

/**
 * Pushes `count` evidence for `toe`, `concurrency` at a time, as a careful client does: each with its own
 * Idempotency-Key, repeated with the same key after a network error or a 5xx until acknowledged. `onAck` sees every
 * acknowledgement as it comes (to inject a fault at the right moment).
 */
export async function pushEvidence(
  cluster: FaultCluster,
  options: {
    toe: string;
    token: string;
    count: number;
    concurrency: number;
    label: string;
    onAck?: (acked: number) => void | Promise<void>;
    timeoutMs?: number;
  },
): Promise<PushResult> {
  const acked = new Map<string, string>();
  const answers: PushAnswer[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let next = 0;
  const pushOne = async (index: number) => {
    const key = `${options.label}-${index}`;
    const body = JSON.stringify(evidenceBody(options.toe, index));
    for (;;) {
      if (Date.now() > deadline) throw new Error(`push ${key} not acknowledged in time`);
      const died = cluster.unexpectedExits()[0];
      if (died) throw new Error(`push ${key}: ${died}`);
      const started = Date.now();
      try {
        const response = await fetch(`${cluster.urls.collector}/v1/evidence`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.token}`,
            'idempotency-key': key,
          },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        const answer: PushAnswer = { ms: Date.now() - started, status: response.status };
        if (response.status >= 400) {
          answer.problem = {
            contentType: response.headers.get('content-type') ?? '',
            retryAfter: response.headers.get('retry-after'),
            type: (JSON.parse(text) as { type?: string }).type,
          };
        }
        answers.push(answer);
        if (response.status === 201 || response.status === 200) {
          acked.set(key, (JSON.parse(text) as { envelopeSha256: string }).envelopeSha256);
          await options.onAck?.(acked.size);
          return;
        }
        if (response.status < 500) throw new Error(`push ${key} refused with ${response.status}: ${text}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(`push ${key}`)) throw error;
        answers.push({ ms: Date.now() - started, status: 'network' });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const lanes = Array.from({ length: options.concurrency }, async () => {
    while (next < options.count) await pushOne(next++);
  });
  await Promise.all(lanes);
  return { acked, answers };
}

/** The envelope digests of `toe`'s evidence at the collector (signed and stored) and at the assessment (received). */
export async function evidenceAt(cluster: FaultCluster, toe: string) {
  const digests = async (service: 'collector' | 'assessment') =>
    (
      await cluster.query<{ digest: string }>(
        service,
        'select envelope_sha256 as digest from evidence where toe = $1',
        [toe],
      )
    ).map((row) => row.digest);
  return { collector: await digests('collector'), assessment: await digests('assessment') };
}

/** Polls until every digest in `expected` reached the assessment; answers when the last one did (ms since epoch). */
export async function waitForDelivered(
  cluster: FaultCluster,
  toe: string,
  expected: Iterable<string>,
  timeoutMs = 90_000,
) {
  const wanted = new Set(expected);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const received = new Set((await evidenceAt(cluster, toe)).assessment);
    const missing = [...wanted].filter((digest) => !received.has(digest));
    if (missing.length === 0) return Date.now();
    if (Date.now() > deadline)
      throw new Error(`${missing.length} of ${wanted.size} evidence never reached the assessment`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** When the first of `digests` arrived at the assessment after `since` (ms since epoch), polling until it does. */
export async function firstArrivalAfter(cluster: FaultCluster, digests: string[], since: number, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await cluster.query<{ at: Date | null }>(
      'assessment',
      'select min(received_at) as at from evidence where envelope_sha256 = any($1) and received_at >= $2',
      [digests, new Date(since)],
    );
    const at = rows[0]?.at;
    if (at) return at.getTime();
    if (Date.now() > deadline) throw new Error('no owed evidence arrived after the restart');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The floor of every fault: each acknowledged evidence is at the collector exactly once and reached the assessment
 * exactly once, and nothing else did. Answers the counts it checked.
 */
export async function expectNoLossNoDuplicate(cluster: FaultCluster, toe: string, acked: Map<string, string>) {
  const ackedDigests = [...new Set(acked.values())].sort();
  await waitForDelivered(cluster, toe, ackedDigests);
  const { collector, assessment } = await evidenceAt(cluster, toe);
  const lost = ackedDigests.filter((digest) => !assessment.includes(digest)).length;
  const duplicated = collector.length - new Set(collector).size + (assessment.length - new Set(assessment).size);
  expect(ackedDigests).toHaveLength(acked.size);
  expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
  expect([...collector].sort()).toEqual(ackedDigests);
  expect([...assessment].sort()).toEqual(ackedDigests);
  return { acknowledged: acked.size, lost, duplicated };
}

/** One line per scenario with its figures, for the test output. */
export function report(scenario: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  process.stdout.write(`[faults] ${scenario}: ${text}\n`);
}
