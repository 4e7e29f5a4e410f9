import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventStream, type SseMessage } from '@cabc/dashboard/sse';
import { nistSchemaErrors } from '@cabc/oscal/validation';
import { waitFor } from '@cabc/testing';
import { certifyToe, type CertifiedToe } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, '../../../test-artifacts/dashboard');
const chromiumMissing = !existsSync('/usr/bin/chromium');
const pdftoppmMissing = !existsSync('/usr/bin/pdftoppm');

describe('reporting: dashboard read APIs, live events and exports', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let certified: CertifiedToe;
  let toe: string;
  const start = new Date(Date.now() - 10 * 86_400_000);
  const day = (n: number, hours = 9) => new Date(start.getTime() + n * 86_400_000 + hours * 3_600_000);
  const api = () => `${platform.urls.assessment}`;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    platform = await startTestPlatform();
    certified = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
    toe = certified.toeId;
    const pipeline = { authorization: `Bearer ${certified.tokens.pipeline}` };
    // One at a time, each evaluated before the next arrives (a burst may be evaluated as one).
    for (const [n, accuracy] of [
      [0, 0.95],
      [1, 0.93],
      [2, 0.96],
      [3, 0.88],
      [4, 0.94],
    ] as const) {
      const answer = await postJson(
        `${platform.urls.collector}/v1/evidence`,
        performanceEvidence(toe, accuracy, day(n)),
        pipeline,
      );
      expect(answer.status).toBe(201);
      await waitFor(
        `accuracy ${accuracy} evaluated`,
        async () => {
          const posture = await getJson(`${api()}/v1/toes/${toe}/posture`, certified.tokens.auditor);
          return posture.body.requirements?.[0]?.details?.[0]?.value === accuracy ? true : undefined;
        },
        { timeoutMs: 45_000 },
      );
    }
  }, 240_000);
  afterAll(async () => {
    await platform?.dispose();
  });

  it('tells the dashboard who a token is for, and refuses a missing or bad token', async () => {
    expect((await getJson(`${api()}/v1/session`, certified.tokens.auditor)).body).toEqual({
      subject: 'auditor@acme',
      org: 'acme',
      role: 'auditor',
    });
    expect((await getJson(`${api()}/v1/session`)).status).toBe(401);
    expect((await getJson(`${api()}/v1/session`, 'not.a.token')).status).toBe(401);
  });

  it('lists every ToE of the organization with posture and requirement counts', async () => {
    const overview = await getJson(`${api()}/v1/overview`, certified.tokens.auditor);
    expect(overview.status).toBe(200);
    expect(overview.body.items).toHaveLength(1);
    expect(overview.body.items[0]).toMatchObject({
      id: toe,
      name: 'credit-scoring',
      posture: 'compliant',
      scope: { inForceVersion: 1, latestVersion: 1, latestState: 'approved' },
      requirements: { total: 1, compliant: 1, non_compliant: 0 },
    });
    expect(overview.body.items[0].lastObservedAt).toBe(day(4).toISOString());
    const other = await getJson(`${api()}/v1/overview`, await platform.token('auditor', 'globex'));
    expect(other.body.items).toEqual([]);
  });

  it('lists evidence newest first, checked again, with receipt and the exact envelope behind a link', async () => {
    const first = await getJson(`${api()}/v1/toes/${toe}/evidence?limit=2`, certified.tokens.auditor);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: any) => item.observedAt)).toEqual([day(4).toISOString(), day(3).toISOString()]);
    const item = first.body.items[0];
    expect(item.verification).toMatchObject({
      state: 'verified',
      envelopeDigest: 'matches',
      signature: 'valid',
      receipt: 'valid',
      keyInScope: true,
    });
    expect(item.receipt.split('.')).toHaveLength(3);
    expect(item.measurements).toEqual([{ name: 'accuracy', value: 0.94 }]);
    const second = await getJson(
      `${api()}/v1/toes/${toe}/evidence?limit=2&cursor=${first.body.nextCursor}`,
      certified.tokens.auditor,
    );
    expect(second.body.items.map((entry: any) => entry.observedAt)).toEqual([
      day(2).toISOString(),
      day(1).toISOString(),
    ]);

    const envelope = await fetch(`${api()}${item.links.envelope}`, {
      headers: { authorization: `Bearer ${certified.tokens.auditor}` },
    });
    expect(envelope.status).toBe(200);
    const text = await envelope.text();
    expect(createHash('sha256').update(text).digest('hex')).toBe(item.envelopeSha256);
    expect(JSON.parse(text).payloadType).toBe('application/vnd.in-toto+json');

    const single = await getJson(`${api()}${item.links.evidence}`, certified.tokens.auditee);
    expect(single.body.predicate.measurements).toEqual([{ name: 'accuracy', value: 0.94 }]);
  });

  it('keeps requirement history and its status changes', async () => {
    const all = await getJson(
      `${api()}/v1/toes/${toe}/results?requirement=REQ-ACCURACY&limit=50`,
      certified.tokens.auditor,
    );
    expect(all.body.items.length).toBeGreaterThanOrEqual(5);
    const changes = await getJson(
      `${api()}/v1/toes/${toe}/results?requirement=REQ-ACCURACY&changesOnly=true`,
      certified.tokens.auditor,
    );
    // Newest first: compliant again (0.94), non-compliant (0.88), compliant, pending at approval (no evidence yet).
    expect(changes.body.items.map((item: any) => item.status)).toEqual([
      'compliant',
      'non_compliant',
      'compliant',
      'pending',
    ]);
    expect(changes.body.items[1].previousStatus).toBe('compliant');
    expect(changes.body.items[1].evidenceIds).toHaveLength(1);
  });

  it('serves the metric series with its threshold, and downsamples a long history without losing a violation', async () => {
    const catalog = await getJson(`${api()}/v1/toes/${toe}/metrics`, certified.tokens.auditor);
    expect(catalog.body.thresholds).toEqual([
      expect.objectContaining({
        requirementId: 'REQ-ACCURACY',
        operator: '>=',
        target: 0.9,
        selector: { kind: 'performance', metric: 'accuracy' },
      }),
    ]);
    expect(catalog.body.measured).toEqual([
      expect.objectContaining({ kind: 'performance', metric: 'accuracy', points: 5 }),
    ]);
    const series = await getJson(
      `${api()}/v1/toes/${toe}/metrics/series?kind=performance&metric=accuracy`,
      certified.tokens.auditor,
    );
    expect(series.body).toMatchObject({
      total: 5,
      downsampled: false,
      thresholds: [expect.objectContaining({ target: 0.9 })],
    });
    expect(series.body.points.map((point: any) => point.value)).toEqual([0.95, 0.93, 0.96, 0.88, 0.94]);
    expect(series.body.points.every((point: any) => /^[0-9a-f-]{36}$/.test(point.evidenceId))).toBe(true);

    // A year of hourly measurements (the read model is filled by a trigger on evidence; here directly, for speed).
    const client = new pg.Client({ connectionString: platform.databaseUrls.assessment });
    await client.connect();
    const points = 24 * 365 * 3;
    try {
      await client.query(
        `insert into evidence_measurements (evidence_id, ordinal, toe, kind, name, observed_at, value)
         select gen_random_uuid(), 1, $1, 'robustness', 'adversarial_accuracy', $2::timestamptz + (i * interval '20 minutes'),
                case when i = 12345 then 0.41 else 0.8 + 0.05 * sin(i / 50.0) end
         from generate_series(0, $3 - 1) as i`,
        [toe, '2025-01-01T00:00:00Z', points],
      );
    } finally {
      await client.end();
    }
    const started = performance.now();
    const large = await getJson(
      `${api()}/v1/toes/${toe}/metrics/series?kind=robustness&metric=adversarial_accuracy&points=1200`,
      certified.tokens.auditor,
    );
    const elapsedMs = performance.now() - started;
    expect(large.body.total).toBe(points);
    expect(large.body.downsampled).toBe(true);
    expect(large.body.points.length).toBeLessThanOrEqual(1200);
    expect(Math.min(...large.body.points.map((point: any) => point.value))).toBeCloseTo(0.41);
    writeFileSync(
      path.join(artifacts, 'series-timing.json'),
      JSON.stringify({ points, returned: large.body.points.length, elapsedMs }, null, 2),
    );
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('answers another organization with "not found", and roles without the right with 403', async () => {
    const stranger = await platform.token('auditor', 'globex');
    for (const suffix of ['evidence', 'results', 'metrics', 'reports/oscal-ar', 'reports/audit']) {
      const answer = await getJson(`${api()}/v1/toes/${toe}/${suffix}`, stranger);
      expect(answer.status, suffix).toBe(404);
      expect(answer.body.detail).toMatch(/no ToE/);
    }
    // A pipeline's token for the collector is not one for this service (401); one for it still lacks the right (403).
    expect((await getJson(`${api()}/v1/toes/${toe}/evidence`, certified.tokens.pipeline)).status).toBe(401);
    const pipeline = await getJson(
      `${api()}/v1/toes/${toe}/evidence`,
      await platform.token('pipeline', 'acme', { service: 'assessment' }),
    );
    expect(pipeline.status).toBe(403);
  });

  it('streams posture changes of the organization as Server-Sent Events', async () => {
    const messages: SseMessage[] = [];
    const abort = new AbortController();
    const strangerMessages: SseMessage[] = [];
    const stream = readEventStream(`${api()}/v1/events`, {
      headers: { authorization: `Bearer ${certified.tokens.auditor}` },
      signal: abort.signal,
      onMessage: (message) => messages.push(message),
    }).catch(() => undefined);
    const strangerStream = readEventStream(`${api()}/v1/events`, {
      headers: { authorization: `Bearer ${await platform.token('auditor', 'globex')}` },
      signal: abort.signal,
      onMessage: (message) => strangerMessages.push(message),
    }).catch(() => undefined);
    await waitFor('hello', () => messages.find((message) => message.event === 'hello'));
    expect(JSON.parse(messages[0]!.data)).toEqual({ subject: 'auditor@acme', org: 'acme', role: 'auditor' });

    const pipeline = { authorization: `Bearer ${certified.tokens.pipeline}` };
    await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe, 0.5, day(5)), pipeline);
    const posture = await waitFor('a posture event', () => messages.find((message) => message.event === 'posture'), {
      timeoutMs: 20_000,
    });
    expect(JSON.parse(posture.data)).toMatchObject({ toe, posture: 'non_compliant', previousPosture: 'compliant' });
    await waitFor('an evaluated event', () => messages.find((message) => message.event === 'evaluated'));
    expect(strangerMessages.filter((message) => message.event !== 'hello')).toEqual([]);
    abort.abort();
    await Promise.all([stream, strangerStream]);

    const unauthenticated = await fetch(`${api()}/v1/events`);
    expect(unauthenticated.status).toBe(401);
  });

  it('exports OSCAL 1.1.2 assessment results that validate against NIST’s schema', async () => {
    const from = start.toISOString();
    const to = new Date().toISOString();
    const answer = await getJson(
      `${api()}/v1/toes/${toe}/reports/oscal-ar?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      certified.tokens.auditor,
    );
    expect(answer.status).toBe(200);
    const document = answer.body;
    writeFileSync(path.join(artifacts, 'assessment-results.oscal.json'), JSON.stringify(document, null, 2));
    expect(nistSchemaErrors('assessment-results', document)).toEqual([]);

    const results = document['assessment-results'].results[0];
    expect(results.observations).toHaveLength(6);
    expect(results.findings).toHaveLength(1);
    expect(results.findings[0].target.status.state).toBe('not-satisfied');
    expect(results.risks).toHaveLength(1);
    expect(results.risks[0].status).toBe('open');
    expect(results.findings[0]['related-risks']).toEqual([{ 'risk-uuid': results.risks[0].uuid }]);
    const resources = document['assessment-results']['back-matter'].resources;
    expect(resources[0].rlinks[0].hashes[0]).toMatchObject({ algorithm: 'SHA-256' });
  });

  it('refuses export windows that are empty, reversed or too large with 422 naming the limit', async () => {
    const at = '2026-01-01T00:00:00Z';
    const query = (from: string, to: string) => `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    for (const report of ['reports/oscal-ar', 'reports/audit']) {
      const empty = await getJson(`${api()}/v1/toes/${toe}/${report}${query(at, at)}`, certified.tokens.auditor);
      expect(empty.status).toBe(422);
      expect(empty.body.detail).toMatch(/empty/);
      const reversed = await getJson(
        `${api()}/v1/toes/${toe}/${report}${query('2026-02-01T00:00:00Z', at)}`,
        certified.tokens.auditor,
      );
      expect(reversed.status).toBe(422);
      expect(reversed.body.detail).toMatch(/after it ends/);
      const large = await getJson(
        `${api()}/v1/toes/${toe}/${report}${query('2020-01-01T00:00:00Z', at)}`,
        certified.tokens.auditor,
      );
      expect(large.status).toBe(422);
      expect(large.body.detail).toMatch(/limit is 366 days/);
    }
  });

  it('renders the audit report as HTML with charts, results and evidence digests', async () => {
    const response = await fetch(
      `${api()}/v1/toes/${toe}/reports/audit?from=${encodeURIComponent(start.toISOString())}`,
      {
        headers: { authorization: `Bearer ${certified.tokens.auditor}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    writeFileSync(path.join(artifacts, 'audit-report.html'), html);
    expect(html).toContain('<svg');
    expect(html).toContain('REQ-ACCURACY');
    const evidence = await getJson(`${api()}/v1/toes/${toe}/evidence?limit=1`, certified.tokens.auditor);
    expect(html).toContain(evidence.body.items[0].envelopeSha256);
    expect(html).toMatch(/Certificate history/);
  });

  const pdfSkip =
    chromiumMissing || pdftoppmMissing
      ? ' (skipped: /usr/bin/chromium or pdftoppm is missing: apt-get install -y chromium poppler-utils)'
      : '';
  it.skipIf(pdfSkip !== '')(
    `renders the audit report as a PDF whose first page is not blank${pdfSkip}`,
    async () => {
      const response = await fetch(
        `${api()}/v1/toes/${toe}/reports/audit?format=pdf&from=${encodeURIComponent(start.toISOString())}`,
        {
          headers: { authorization: `Bearer ${certified.tokens.auditor}` },
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      const pdf = Buffer.from(await response.arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const file = path.join(artifacts, 'audit-report.pdf');
      writeFileSync(file, pdf);
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '60',
        '-f',
        '1',
        '-l',
        '1',
        '-singlefile',
        file,
        path.join(artifacts, 'audit-report-page1'),
      ]);
      const png = path.join(artifacts, 'audit-report-page1.png');
      // Render the page as raw grey pixels and count the ones that are not white.
      const gray = execFileSync('pdftoppm', ['-gray', '-r', '30', '-f', '1', '-l', '1', '-singlefile', file]);
      const header = gray.toString('latin1', 0, 40).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
      expect(header).not.toBeNull();
      const pixels = gray.subarray(header![0].length);
      let dark = 0;
      for (const value of pixels) if (value < 200) dark += 1;
      expect(existsSync(png)).toBe(true);
      expect(dark / pixels.length).toBeGreaterThan(0.01);
    },
    60_000,
  );
});
