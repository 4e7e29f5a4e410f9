import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { certifyToe } from '../src/index.ts';
import {
  getJson,
  performanceEvidence,
  postJson,
  queryDatabase as query,
  startTestPlatform,
} from './platform-fixture.ts';

const FRESHNESS_WINDOW_MS = 2_000;

describe('callbacks that cannot be lost', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform({
      env: { certificationBody: { CALLBACK_MAX_AGE: `${FRESHNESS_WINDOW_MS}ms` } },
    });
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  it('certification body down longer than the freshness window while the posture fails: the certificate ends revoked', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'cb-outage' });
    const pipeline = { authorization: `Bearer ${toe.tokens.pipeline}` };
    const certificates = async () =>
      (
        await getJson(
          `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
          toe.tokens.auditeeAtCertificationBody,
        )
      ).body.items as { id: string; state: string }[];
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, 0.95), pipeline)).status,
    ).toBe(201);
    const [issued] = await waitFor('an issued certificate', async () => {
      const items = await certificates();
      return items[0]?.state === 'issued' ? items : undefined;
    });

    await platform.stop('certificationBody');
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, 0.71), pipeline)).status,
    ).toBe(201);
    // The non-compliant posture is decided and its callback fails against the stopped certification body...
    const [failing] = await waitFor('the posture callback failing', async () => {
      const rows = await query<{ id: number; created_at: Date }>(
        platform.databaseUrls.assessment,
        `select id, created_at from outbox where ordering_key = $1 and status = 'pending' and attempts > 0`,
        [toe.toeId],
      );
      return rows.length > 0 ? rows : undefined;
    });
    // ... for longer than the window in which the certification body accepts a callback's signing time.
    await new Promise((resolve) => setTimeout(resolve, FRESHNESS_WINDOW_MS + 1_000));
    expect(Date.now() - failing!.created_at.getTime()).toBeGreaterThan(FRESHNESS_WINDOW_MS);

    await platform.start('certificationBody');
    const revoked = await waitFor(
      'the certificate revoked',
      async () => {
        const detail = await getJson(
          `${platform.urls.certificationBody}/v1/certificates/${issued!.id}`,
          toe.tokens.auditeeAtCertificationBody,
        );
        return detail.body.state === 'revoked' ? detail.body : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(revoked.history.map((entry: { to: string }) => entry.to)).toEqual(['issued', 'revoked']);
    // Re-signed at the attempt that reached it: accepted at once, never refused as stale (nor given up).
    const received = await query<{ outcome: string }>(
      platform.databaseUrls.certificationBody,
      `select outcome from received_callbacks where toe = $1 or toe is null order by id`,
      [toe.toeId],
    );
    expect(received.map((row) => row.outcome)).not.toContain('refused');
    expect(received.map((row) => row.outcome)).not.toContain('unavailable');
    const [row] = await query<{ status: string }>(
      platform.databaseUrls.assessment,
      'select status from outbox where id = $1',
      [failing!.id],
    );
    expect(row!.status).toBe('delivered');
  });
});

describe('the signed heartbeat: a silent assessment suspends the certificate, its return reinstates it', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform({
      env: {
        assessment: { POSTURE_HEARTBEAT_INTERVAL: '1s' },
        // Several heartbeats: a busy machine may delay one or two without the certificate being suspended.
        certificationBody: { CERTIFICATION_ASSESSMENT_SILENT_AFTER: '6s' },
      },
    });
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  it('suspends with reason assessment_silent while the assessment service is stopped, reinstates when it is back', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'heartbeat' });
    const pipeline = { authorization: `Bearer ${toe.tokens.pipeline}` };
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, 0.95), pipeline)).status,
    ).toBe(201);
    const certificate = async () =>
      (
        (
          await getJson(
            `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
            toe.tokens.auditeeAtCertificationBody,
          )
        ).body.items as { id: string; state: string; reason: string }[]
      )[0];
    const stateIs = (state: string) => async () => {
      const found = await certificate();
      return found?.state === state ? found : undefined;
    };
    const issued = await waitFor('an issued certificate', stateIs('issued'));
    // Heartbeats keep it issued past the silence window.
    await waitFor('re-statements received', async () => {
      const rows = await query<{ count: number }>(
        platform.databaseUrls.certificationBody,
        `select count(*)::int as count from received_callbacks where toe = $1 and token <> '' and outcome = 'no_change'`,
        [toe.toeId],
      );
      return rows[0]!.count >= 2 ? true : undefined;
    });
    expect((await certificate())!.state).toBe('issued');

    await platform.stop('assessment');
    const suspended = await waitFor('suspended: assessment silent', stateIs('suspended'), { timeoutMs: 30_000 });
    expect(suspended).toMatchObject({ id: issued.id, reason: 'assessment_silent' });
    await platform.start('assessment');
    await waitFor('reinstated by the next heartbeat', stateIs('issued'), { timeoutMs: 30_000 });
    const history = (
      await getJson(
        `${platform.urls.certificationBody}/v1/certificates/${issued.id}`,
        toe.tokens.auditeeAtCertificationBody,
      )
    ).body.history.map((entry: { from: string; to: string; reasonCode: number }) => `${entry.to}:${entry.reasonCode}`);
    expect(history).toEqual(['issued:1', 'suspended:11', 'issued:1']);
  });
});
