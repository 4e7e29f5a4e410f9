import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAttribute, startTracing, stopTracing } from '@cabc/service-kit';
import { waitFor } from '@cabc/testing';
import { accuracyRequirement, certifyToe, type CertifiedToe } from '../src/index.ts';
import { performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

/**
 * One evidence, pushed to the collector, followed to the certificate decision at the certification body: every span
 * on the way is in one trace, across the three services, the two outboxes and the evaluation queue.
 */
describe('one trace from an evidence to the certificate decision', () => {
  const exporter = new InMemorySpanExporter();
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let toe: CertifiedToe;

  beforeAll(async () => {
    await startTracing({ serviceName: 'cabc-platform', spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    platform = await startTestPlatform();
    toe = await certifyToe(platform, { org: 'acme', name: 'traced', requirements: [accuracyRequirement(0.9)] });
  }, 120_000);
  afterAll(async () => {
    await platform?.dispose();
    await stopTracing();
  });

  it('links collector POST → outbox delivery → ingest → evaluation job → callback → CB decision', async () => {
    const pushed = await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, 0.95), {
      authorization: `Bearer ${toe.tokens.pipeline}`,
    });
    expect(pushed.status).toBe(201);
    const post = await waitFor(
      'the collector POST span',
      async () => exporter.getFinishedSpans().find((span) => span.name === 'POST /v1/evidence'),
      { timeoutMs: 30_000 },
    );
    const traceId = post.spanContext().traceId;
    const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    // The callback's delivery span ends after the CB answered, so after the decision: wait for both.
    const decision = await waitFor(
      'the certificate decision and the callback delivery in the same trace',
      async () => {
        const finished = inTrace();
        const ids = new Set(finished.map((span) => span.spanContext().spanId));
        const answered = finished.some(
          (span) => span.name.startsWith('POST /v1/callbacks') && ids.has(span.parentSpanContext?.spanId ?? ''),
        );
        return answered ? finished.find((span) => span.name.startsWith('certification decide')) : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const spans = inTrace();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
    const ancestors = (span: ReadableSpan): ReadableSpan[] => {
      const parent = parentOf(span);
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    const one = (name: string, under: ReadableSpan) => {
      const found = spans.find((span) => span.name === name && ancestors(span).includes(under));
      expect(found, `${name} under ${under.name}; trace: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
      return found as ReadableSpan;
    };
    const serviceOf = (span: ReadableSpan) => span.attributes[serviceAttribute];

    const delivery = one('outbox deliver evidence', post);
    // The row's stored context is the parent, not the delivery job's span: a reconciled or retried row keeps its trace.
    expect(parentOf(delivery)).toBe(post);
    const ingest = spans.find((span) => parentOf(span) === delivery && serviceOf(span) === 'assessment');
    expect(ingest?.name).toMatch(/^POST \/v1\//);
    const enqueue = one('assessment.evaluate enqueue', ingest as ReadableSpan);
    const evaluation = one('assessment.evaluate process', enqueue);
    expect(parentOf(evaluation)).toBe(enqueue);
    const received = spans.find(
      (span) => span.name.startsWith('POST /v1/callbacks') && ancestors(span).includes(evaluation),
    ) as ReadableSpan;
    expect(received, 'the posture callback received by the CB').toBeDefined();
    const callback = parentOf(received) as ReadableSpan;
    expect(callback.name).toMatch(/^outbox deliver /);
    expect(serviceOf(callback)).toBe('assessment');
    expect(serviceOf(received)).toBe('certification-body');
    expect(ancestors(decision)).toContain(received);

    expect(serviceOf(post)).toBe('evidence-collector');
    expect(serviceOf(delivery)).toBe('evidence-collector');
    expect(serviceOf(evaluation)).toBe('assessment');
    expect(serviceOf(decision)).toBe('certification-body');
    expect(new Set(spans.map(serviceOf))).toEqual(
      new Set(['evidence-collector', 'assessment', 'certification-body', undefined]),
    );
    // The periodic reconciliation ticks (every 500 ms here) make no traces.
    expect(exporter.getFinishedSpans().filter((span) => span.name.endsWith('.reconcile process'))).toEqual([]);
    // The pg and ioredis instrumentations add their spans under ours: the collector's commit, the job's enqueue.
    expect(spans.some((span) => span.name.startsWith('pg.query:COMMIT') && parentOf(span) === post)).toBe(true);
    expect(
      spans.some((span) => span.attributes['db.system.name'] === 'redis' || span.attributes['db.system'] === 'redis'),
    ).toBe(true);
  }, 120_000);
});
