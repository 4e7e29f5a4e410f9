import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '@cabc/dashboard';
import { gamedStream, waitFor } from '@cabc/testing';
import { accuracyRequirement, api, certifyToe, type CertifiedToe } from '../src/index.ts';
import { performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, '../../../test-artifacts/dashboard');

describe.skipIf(missing)(
  `dashboard in a browser${missing ? ` (skipped: ${CHROMIUM} is missing)` : ''}`,
  { timeout: 60_000 },
  () => {
    let platform: Awaited<ReturnType<typeof startTestPlatform>>;
    let dashboard: RunningDashboard;
    let browser: Browser;
    let page: Page;
    let credit: CertifiedToe;
    let fraud: { toeId: string };
    let churn: CertifiedToe;
    let foreignToe: string;
    const timings: Record<string, number> = {};
    const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
    const pipelineHeaders = (tokens: CertifiedToe['tokens']) => ({ authorization: `Bearer ${tokens.pipeline}` });

    beforeAll(async () => {
      mkdirSync(artifacts, { recursive: true });
      platform = await startTestPlatform();
      const day = (n: number) => new Date(Date.now() - (8 - n) * 86_400_000);

      // A certified ToE with a week of history, one dip below the (non-critical) threshold included: suspended, then reinstated.
      credit = await certifyToe(platform, {
        org: 'acme',
        name: 'credit-scoring',
        requirements: [{ ...accuracyRequirement(0.9), critical: false, severity: 'high' }],
      });
      for (const [n, accuracy] of [
        [0, 0.95],
        [1, 0.94],
        [2, 0.96],
        [3, 0.87],
        [4, 0.93],
        [5, 0.95],
        [6, 0.96],
      ] as const) {
        expect(
          (
            await postJson(
              `${platform.urls.collector}/v1/evidence`,
              performanceEvidence(credit.toeId, accuracy, day(n)),
              pipelineHeaders(credit.tokens),
            )
          ).status,
        ).toBe(201);
      }

      // A ToE whose scope waits for the auditor, with evidence already arriving (checked against the submitted keys).
      const auditee = await platform.token('auditee', 'acme');
      const { keys } = await api<{ keys: unknown[] }>('GET', `${platform.urls.collector}/.well-known/jwks.json`);
      fraud = await api<{ id: string }>('POST', `${platform.urls.assessment}/v1/toes`, {
        token: auditee,
        body: {
          name: 'fraud-detection',
          businessPurpose: 'Flags fraudulent card payments',
          fieldOfOperation: 'payments',
          riskClass: 'high',
          owner: 'risk-ml team',
        },
      }).then((toe) => ({ toeId: toe.id }));
      const scopes = `${platform.urls.assessment}/v1/toes/${fraud.toeId}/scopes`;
      await api('POST', scopes, {
        token: auditee,
        body: {
          document: {
            risks: [
              { id: 'R-MISSED-FRAUD', description: 'Fraud goes undetected', likelihood: 'possible', impact: 'major' },
            ],
            requirements: [
              {
                ...accuracyRequirement(0.9),
                controls: ['EU-AI-ACT:Art.15', 'ISO-25059:accuracy'],
                mitigates: ['R-MISSED-FRAUD'],
              },
            ],
            collectorKeys: keys,
          },
        },
      });
      await api('POST', `${scopes}/1/submit`, { token: auditee });
      const pipeline = await platform.token('pipeline', 'acme');
      expect(
        (
          await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(fraud.toeId, 0.97, day(6)), {
            authorization: `Bearer ${pipeline}`,
          })
        ).status,
      ).toBe(201);

      // A ToE with a long history: a year of measurements every 20 minutes and 20,000 results (written directly).
      churn = await certifyToe(platform, { org: 'acme', name: 'churn-model' });
      await postJson(
        `${platform.urls.collector}/v1/evidence`,
        performanceEvidence(churn.toeId, 0.95, day(7)),
        pipelineHeaders(churn.tokens),
      );
      const client = new pg.Client({ connectionString: platform.databaseUrls.assessment });
      await client.connect();
      try {
        await client.query(
          `insert into evidence_measurements (evidence_id, ordinal, toe, kind, name, observed_at, value)
         select gen_random_uuid(), 1, $1, 'performance', 'accuracy', now() - interval '366 days' + (i * interval '20 minutes'),
                case when i % 5000 = 77 then 0.62 else 0.93 + 0.03 * sin(i / 40.0) end
         from generate_series(0, 26279) as i`,
          [churn.toeId],
        );
        await client.query(
          `insert into requirement_results (toe, requirement_id, status, reason, details, evidence_ids, evaluated_at)
         select $1, 'REQ-ACCURACY', case when (i / 500) % 7 = 3 then 'non_compliant' else 'compliant' end, 'synthetic history', '[]', '[]',
                now() - interval '365 days' + (i * interval '26 minutes')
         from generate_series(0, 19999) as i`,
          [churn.toeId],
        );
      } finally {
        await client.end();
      }

      // Another organization's ToE, for the cross-organization URL.
      const globex = await platform.token('auditee', 'globex');
      foreignToe = (
        await api<{ id: string }>('POST', `${platform.urls.assessment}/v1/toes`, {
          token: globex,
          body: {
            name: 'globex-secret-model',
            businessPurpose: 'x',
            fieldOfOperation: 'x',
            riskClass: 'minimal',
            owner: 'x',
          },
        })
      ).id;

      await waitFor(
        'the credit-scoring certificate',
        async () => {
          const list = await api<{ items: { state: string }[] }>(
            'GET',
            `${platform.urls.certificationBody}/v1/certificates?toe=${credit.toeId}`,
            { token: credit.tokens.auditeeAtCertificationBody },
          );
          return list.items[0]?.state === 'issued' ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );

      const started = Date.now();
      dashboard = await startDashboard({
        port: 0,
        assessmentUrl: platform.urls.assessment,
        certificationBodyUrl: platform.urls.certificationBody,
        collectorUrl: platform.urls.collector,
        certificatePollMs: 500,
      });
      timings.dashboardStartMs = Date.now() - started;
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      page.setDefaultTimeout(20_000);
    }, 240_000);

    afterEach(async (context) => {
      if (context.task.result?.state === 'fail')
        await shot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    });

    afterAll(async () => {
      writeFileSync(path.join(artifacts, 'browser-timings.json'), JSON.stringify(timings, null, 2));
      await browser?.close();
      await dashboard?.close();
      await platform?.dispose();
    });

    it('shows only the sign-in page without a valid token, never data', async () => {
      const requests: string[] = [];
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      await page.goto(`${dashboard.url}/toes/${credit.toeId}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.content()).not.toContain('credit-scoring');
      expect(
        requests.filter((pathname) => pathname.startsWith('/api/assessment') || pathname.startsWith('/api/events')),
      ).toEqual([]);
      await page.getByLabel('Bearer token').fill('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
      expect(await page.content()).not.toContain('credit-scoring');
      await shot('01-sign-in');
      page.removeAllListeners('request');
    });

    it('signs in and shows every ToE with posture and certificate state', async () => {
      await page.goto(dashboard.url);
      const started = Date.now();
      await page.getByLabel('Bearer token').fill(credit.tokens.auditor);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const creditRow = page.locator(`tr[data-toe="${credit.toeId}"]`);
      await creditRow.waitFor();
      await creditRow.locator('[data-testid=certificate] [data-status=good]').waitFor({ timeout: 15_000 });
      timings.signInToOverviewMs = Date.now() - started;
      await expect
        .poll(() => creditRow.locator('[data-testid=posture] .badge').getAttribute('data-status'))
        .toBe('compliant');
      await page.locator(`tr[data-toe="${fraud.toeId}"]`).waitFor();
      expect(
        await page
          .locator(`tr[data-toe="${fraud.toeId}"] [data-testid=certificate] .badge`)
          .getAttribute('data-status'),
      ).toBe('none');
      expect(await page.content()).not.toContain('globex-secret-model');
      await page.getByText('waiting for your review').waitFor();
      await page.locator('[data-testid=live-indicator].live-live').waitFor();
      await shot('02-overview');
    });

    it('opens a ToE: requirements with history, the metric chart with its threshold, and verified evidence', async () => {
      await page.locator(`tr[data-toe="${credit.toeId}"] a`).first().click();
      await page.getByRole('heading', { name: 'credit-scoring' }).waitFor();
      await page.locator('tr[data-requirement="REQ-ACCURACY"]').waitFor();
      await page.locator('.history-strip span[title]').first().waitFor();
      await shot('03-toe-requirements');

      await page.getByRole('tab', { name: 'Metrics' }).click();
      const chart = page.locator('[data-testid=metric-chart]').first();
      await chart.locator('canvas').waitFor();
      expect(Number(await chart.getAttribute('data-points'))).toBe(7);
      await page.getByText('REQ-ACCURACY >= 0.9').first().waitFor();
      await shot('04-toe-metrics');

      await page.getByRole('tab', { name: 'Evidence' }).click();
      await page.locator('.evidence-table [data-status=verified]').first().waitFor();
      expect(await page.locator('.evidence-table tbody tr').count()).toBe(7);
      await page.getByRole('button', { name: 'Receipt & details' }).first().click();
      await page.getByRole('dialog', { name: 'Evidence' }).getByText('Envelope SHA-256').waitFor();
      await shot('05-evidence-drawer');
      await page.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('tab', { name: 'Audit trail' }).click();
      await page.getByText('auditor@acme').first().waitFor();
      await page.getByRole('tab', { name: 'Reports' }).click();
      await page.getByRole('button', { name: 'OSCAL assessment results (JSON)' }).waitFor();
      const [bundle] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'OSCAL bundle (zip)' }).click(),
      ]);
      expect(bundle.suggestedFilename()).toBe(`${credit.toeId}-oscal-bundle-v1.zip`);
      const zip = readFileSync(await bundle.path());
      expect(zip.subarray(0, 2).toString()).toBe('PK');
      expect(zip.includes('assessment-results.json')).toBe(true);
    });

    it('loads a ToE with a long history fast (server-side downsampling, paginated results)', async () => {
      const started = Date.now();
      await page.goto(`${dashboard.url}/toes/${churn.toeId}`);
      await page.locator('.history-strip span[title]').first().waitFor();
      timings.longHistoryRequirementsMs = Date.now() - started;
      const chartStarted = Date.now();
      await page.getByRole('tab', { name: 'Metrics' }).click();
      const chart = page.locator('[data-testid=metric-chart]').first();
      await chart.locator('canvas').waitFor();
      timings.longHistoryChartMs = Date.now() - chartStarted;
      const drawn = Number(await chart.getAttribute('data-points'));
      expect(drawn).toBeGreaterThan(100);
      expect(drawn).toBeLessThanOrEqual(1200);
      await page.getByText('26281 measurements').waitFor();
      await shot('06-long-history-metrics');
      expect(timings.longHistoryRequirementsMs).toBeLessThan(10_000);
      expect(timings.longHistoryChartMs).toBeLessThan(10_000);
    });

    it('answers another organization’s ToE with "not found"', async () => {
      await page.goto(`${dashboard.url}/toes/${foreignToe}`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await page.content()).not.toContain('globex-secret-model');
      await page.goto(`${dashboard.url}/toes/${foreignToe}/scopes/1`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
    });

    it('reviews a scope: comments on a requirement and approves; the certificate then arrives live', async () => {
      await page.goto(dashboard.url);
      await page.locator(`tr[data-toe="${fraud.toeId}"]`).waitFor();
      await page.evaluate(() => ((globalThis as any).__notReloaded = true));
      await page.getByRole('link', { name: 'fraud-detection v1' }).click();
      await page.getByRole('heading', { name: /Scope v1/ }).waitFor();
      const card = page.locator('article[data-requirement="REQ-ACCURACY"]');
      await card
        .getByPlaceholder('Comment on REQ-ACCURACY')
        .fill('Threshold matches the risk appetite; holdout set is adequate.');
      await card.getByRole('button', { name: 'Comment' }).click();
      await card.getByText('Threshold matches the risk appetite').waitFor();
      await shot('07-scope-review');
      await page.getByLabel('Decision comment').fill('Approved: requirements and measurements are adequate.');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page
        .getByRole('heading', { name: /Scope v1/ })
        .locator('[data-status=approved]')
        .waitFor();

      await page.getByRole('link', { name: 'Overview' }).click();
      const row = page.locator(`tr[data-toe="${fraud.toeId}"]`);
      const started = Date.now();
      await row.locator('[data-testid=certificate] [data-status=good]').waitFor({ timeout: 30_000 });
      timings.approvalToLiveCertificateMs = Date.now() - started;
      await row.locator('[data-testid=posture] [data-status=compliant]').waitFor();
      expect(await page.evaluate(() => (globalThis as any).__notReloaded)).toBe(true);
      await shot('08-certificate-live');
    });

    it('shows a posture change and the certificate suspended on the open ToE page without a reload', async () => {
      await page.getByRole('link', { name: 'credit-scoring' }).click();
      await page.locator('[data-testid=toe-certificate] [data-status=good]').waitFor();
      await page.evaluate(() => ((globalThis as any).__notReloaded = true));
      const degraded = await postJson(
        `${platform.urls.collector}/v1/evidence`,
        performanceEvidence(credit.toeId, 0.62, new Date()),
        pipelineHeaders(credit.tokens),
      );
      expect(degraded.status).toBe(201);
      await page.locator('[data-testid=toe-posture] [data-status=non_compliant]').waitFor({ timeout: 30_000 });
      await page.locator('[data-testid=toe-certificate] [data-status=suspended]').waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => (globalThis as any).__notReloaded)).toBe(true);
      await shot('09-toe-suspended-live');
    });

    it('shows an anomaly observation with its chart points ringed, and lets the auditor dismiss it', async () => {
      const gamed = await certifyToe(platform, { org: 'acme', name: 'gamed-model', modelSha256: 'a'.repeat(64) });
      for (const item of gamedStream(gamed.toeId, { end: new Date(Date.now() - 60_000) }).items) {
        expect(
          (await postJson(`${platform.urls.collector}/v1/evidence`, item, pipelineHeaders(gamed.tokens))).status,
        ).toBe(201);
      }
      await waitFor('the observation', async () => {
        const listed = await api<{ items: { signal: string }[] }>(
          'GET',
          `${platform.urls.assessment}/v1/toes/${gamed.toeId}/observations`,
          { token: gamed.tokens.auditor },
        );
        return listed.items.some((item) => item.signal === 'repeated_measurements') ? true : undefined;
      });
      await page.goto(`${dashboard.url}/toes/${gamed.toeId}?tab=metrics`);
      const chart = page.locator('[data-testid=metric-chart]').first();
      await chart.locator('canvas').waitFor();
      await expect.poll(async () => Number(await chart.getAttribute('data-highlighted'))).toBeGreaterThan(0);
      await page.getByRole('tab', { name: 'Observations' }).click();
      const row = page.locator('[data-testid=observation][data-signal=repeated_measurements]');
      await row.getByText('exactly those of evidence').waitFor();
      await shot('10-toe-observations');
      await row.getByLabel('reason').fill('A documented re-run on the same test set.');
      await row.getByRole('button', { name: 'Dismiss' }).click();
      await page.locator('[data-testid=observation][data-state=dismissed]').waitFor();
    });

    it('shows the auditor callbacks the certification body never took, and redelivers them', async () => {
      const client = new pg.Client({ connectionString: platform.databaseUrls.assessment });
      await client.connect();
      try {
        // A callback whose retry schedule ran out (what a long certification body outage leaves).
        await client.query(
          `insert into outbox (topic, ordering_key, destination, content_type, body, status, attempts, last_error, dead_lettered_at)
           values ('certification-body', $1, $2, 'application/json', '{}', 'dead_letter', 30, 'HTTP 503: down', now())`,
          [credit.toeId, `${platform.urls.certificationBody}/v1/callbacks/posture`],
        );
      } finally {
        await client.end();
      }
      await page.goto(dashboard.url);
      const panel = page.locator('[data-testid=undelivered]');
      await panel.getByText('1 message to the certification body not delivered').waitFor();
      await shot('11-undelivered-callbacks');
      await panel.getByRole('button', { name: 'Redeliver all' }).click();
      await panel.getByText('1 handed back to delivery').waitFor();
    });
  },
);
