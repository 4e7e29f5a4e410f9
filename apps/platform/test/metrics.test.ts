import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { accuracyRequirement, api, certifyToe, freePort, type CertifiedToe } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const METRICS_TOKEN = 'test-only-metrics-scrape-token';

/** The sum of the samples `name{labels} value` of the exposition text whose labels include those given. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const given = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => given[key] === value)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

/**
 * The three services' /metrics after a real flow: evidence pushed (accepted and refused), evaluated, delivered through
 * both outboxes, a certificate issued and its webhook delivered: the counters and gauges of each moved.
 */
describe('Prometheus metrics of the three services after a flow', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let toe: CertifiedToe;
  const env = { METRICS_TOKEN };
  const scrape = async (url: string) => {
    const answer = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    return answer.text();
  };

  beforeAll(async () => {
    platform = await startTestPlatform({
      env: {
        collector: env,
        assessment: { ...env, CHECKPOINT_INTERVAL: '1s' },
        certificationBody: { ...env, WEBHOOK_RETRY_BASE_DELAY: '200ms', WEBHOOK_RETRY_MAX_DELAY: '1s' },
      },
    });
    receiver = await startWebhookReceiver(await freePort());
    const subscription = await api('POST', `${platform.urls.certificationBody}/v1/webhooks/subscriptions`, {
      token: await platform.token('auditee', 'acme', { service: 'certification-body' }),
      body: { url: receiver.url, description: 'metrics test' },
    });
    receiver.useSecret(subscription.secret);
    toe = await certifyToe(platform, { org: 'acme', name: 'metered', requirements: [accuracyRequirement(0.9)] });
  }, 120_000);
  afterAll(async () => {
    await receiver?.stop();
    await platform?.dispose();
  });

  it('refuses a scrape without the metrics token', async () => {
    for (const url of [platform.urls.collector, platform.urls.assessment, platform.urls.certificationBody]) {
      const anonymous = await fetch(`${url}/metrics`);
      expect(anonymous.status, url).toBe(401);
      const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token' } });
      expect(wrong.status, url).toBe(401);
    }
  });

  it('counts requests, evidence, queues, outboxes, the ledger, certificates and webhooks', async () => {
    const pipeline = { authorization: `Bearer ${toe.tokens.pipeline}` };
    const before = await scrape(platform.urls.collector);
    const refusedBefore = sample(before, 'cabc_evidence_refused_total', { reason: 'validation' }) ?? 0;

    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, 0.95), pipeline)).status,
    ).toBe(201);
    const bad = await postJson(
      `${platform.urls.collector}/v1/evidence`,
      { toe: toe.toeId, kind: 'performance' },
      pipeline,
    );
    expect(bad.status).toBe(400);
    await waitFor(
      'certificate issued and its webhook delivered',
      async () => receiver.received.some((webhook) => webhook.type.includes('issued')) || undefined,
      { timeoutMs: 45_000 },
    );

    const collector = await scrape(platform.urls.collector);
    expect(
      sample(collector, 'cabc_evidence_ingested_total', { service: 'evidence-collector', outcome: 'created' }),
    ).toBe(1);
    expect(sample(collector, 'cabc_evidence_refused_total', { reason: 'validation' })).toBe(refusedBefore + 1);
    expect(
      sample(collector, 'http_requests_total', { method: 'POST', route: '/v1/evidence', status_code: '201' }),
    ).toBe(1);
    expect(
      sample(collector, 'http_request_duration_seconds_count', { route: '/v1/evidence', status_code: '400' }),
    ).toBe(1);
    expect(
      sample(collector, 'cabc_outbox_delivery_attempts_total', { topic: 'evidence', outcome: 'delivered' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(collector, 'cabc_outbox_delivery_lag_seconds_count', { topic: 'evidence' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      sample(collector, 'cabc_job_duration_seconds_count', { queue: 'collector.outbox', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(collector, 'cabc_queue_jobs', { queue: 'collector.outbox', state: 'waiting' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(collector, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);

    const assessment = await scrape(platform.urls.assessment);
    expect(sample(assessment, 'cabc_evidence_ingested_total', { service: 'assessment', outcome: 'created' })).toBe(1);
    expect(
      sample(assessment, 'cabc_job_duration_seconds_count', { queue: 'assessment.evaluate', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(assessment, 'cabc_job_wait_seconds_count', { queue: 'assessment.evaluate' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(assessment, 'cabc_outbox_delivery_attempts_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(assessment, 'cabc_ledger_size')).toBe(1);

    await waitFor('a ledger checkpoint', async () => {
      const text = await scrape(platform.urls.assessment);
      return (sample(text, 'cabc_ledger_checkpoint_size') ?? 0) >= 1 || undefined;
    });
    expect(sample(await scrape(platform.urls.assessment), 'cabc_ledger_checkpoint_age_seconds')).toBeGreaterThanOrEqual(
      0,
    );

    const body = await scrape(platform.urls.certificationBody);
    expect(sample(body, 'cabc_certificates', { state: 'issued' })).toBe(1);
    expect(sample(body, 'cabc_webhook_attempts_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'cabc_webhook_delivery_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'cabc_webhook_deliveries_pending')).toBeGreaterThanOrEqual(0);
    expect(
      sample(body, 'http_requests_total', { method: 'POST', route: '/v1/callbacks/assessment' }),
    ).toBeGreaterThanOrEqual(1);

    // Gauges read at scrape time: nothing is left pending once the flow settled.
    await waitFor('outboxes drained', async () => {
      const text = await scrape(platform.urls.assessment);
      return (sample(text, 'cabc_outbox_pending') ?? 0) === 0 || undefined;
    });
  }, 120_000);
});
