import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { accuracyRequirement, api, certifyToe, freePort, type CertifiedToe } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const DAY = 86_400_000;

describe('certificate lifecycle end to end: suspension, grace, revocation, reinstatement, webhooks', () => {
  // The services' clock runs with real time, shifted by what the test has skipped ahead.
  let skipped = 0;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  // A non-critical requirement: failing it suspends (grace 7 days) instead of revoking at once.
  const requirements = [{ ...accuracyRequirement(0.9), severity: 'high', critical: false }];

  beforeAll(async () => {
    platform = await startTestPlatform({
      now: () => new Date(Date.now() + skipped),
      env: {
        certificationBody: {
          WEBHOOK_RETRY_BASE_DELAY: '200ms',
          WEBHOOK_RETRY_MAX_DELAY: '1s',
          // The clock skips days ahead while the receiver is down; auto-disabling has tests of its own.
          WEBHOOK_DISABLE_AFTER: '60d',
          CERTIFICATION_GRACE_PERIOD: '7d',
        },
      },
    });
    receiver = await startWebhookReceiver(await freePort());
    const subscription = await api('POST', `${platform.urls.certificationBody}/v1/webhooks/subscriptions`, {
      token: await platform.token('auditee', 'acme', { service: 'certification-body' }),
      body: { url: receiver.url, description: 'certificate registry of acme' },
    });
    receiver.useSecret(subscription.secret);
  });
  afterAll(async () => {
    await receiver?.stop();
    await platform?.dispose();
  });

  const push = (toe: CertifiedToe, accuracy: number) =>
    postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, accuracy), {
      authorization: `Bearer ${toe.tokens.pipeline}`,
    });
  const certificateOf = async (toe: CertifiedToe, state: string) =>
    waitFor(`certificate of ${toe.toeId} ${state}`, async () => {
      const items = (
        await getJson(`${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`, toe.tokens.auditeeAtCertificationBody)
      ).body.items as any[];
      return items[0]?.state === state ? items[0] : undefined;
    });

  it('suspends on a degraded metric and revokes when the grace period passes unfixed', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'not-fixed', requirements });
    await push(toe, 0.95);
    const issued = await certificateOf(toe, 'issued');
    await waitFor('the first webhook', () => receiver.received.length > 0 || undefined);
    await receiver.stop(); // the subscriber is down for a while
    await push(toe, 0.8);
    await certificateOf(toe, 'suspended');

    skipped += 6 * DAY;
    await platform.service('certificationBody').runDeadlines!();
    expect((await getJson(`${platform.urls.certificationBody}/v1/status/${issued.id}`)).body.status).toBe('suspended');

    skipped += 2 * DAY; // past the 7-day grace period
    await platform.service('certificationBody').runDeadlines!();
    const revoked = await certificateOf(toe, 'revoked');
    const history = (
      await getJson(`${platform.urls.certificationBody}/v1/certificates/${revoked.id}`, toe.tokens.auditeeAtCertificationBody)
    ).body.history;
    // Pinned reason codes: 1 compliant_posture, 2 non_compliance, 4 grace_period_elapsed.
    expect(history.map((entry: any) => `${entry.to}:${entry.reasonCode}`)).toEqual([
      'issued:1',
      'suspended:2',
      'revoked:4',
    ]);
    expect(history[2].cause.kind).toBe('schedule');
    await receiver.start();
  });

  it('reinstates when the metric is fixed within the grace period', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'fixed-in-time', requirements });
    await push(toe, 0.95);
    await certificateOf(toe, 'issued');
    await push(toe, 0.7);
    await certificateOf(toe, 'suspended');
    skipped += 3 * DAY;
    await platform.service('certificationBody').runDeadlines!();
    await push(toe, 0.96);
    const reinstated = await certificateOf(toe, 'issued');
    const history = (
      await getJson(`${platform.urls.certificationBody}/v1/certificates/${reinstated.id}`, toe.tokens.auditeeAtCertificationBody)
    ).body.history;
    expect(history.map((entry: any) => `${entry.from}->${entry.to}`)).toEqual([
      'none->issued',
      'issued->suspended',
      'suspended->issued',
    ]);
  });

  it('delivered every transition to the subscriber exactly once, signed, including those made while it was down', async () => {
    const expected = 6; // issued, suspended, revoked + issued, suspended, reinstated
    const received = await waitFor(
      'all webhooks',
      () => {
        const distinct = new Map(receiver.received.map((webhook) => [webhook.id, webhook]));
        return distinct.size >= expected ? [...distinct.values()] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(received).toHaveLength(expected);
    expect(received.every((webhook) => webhook.signatureValid)).toBe(true);
    const eventIds = received.map((webhook) => webhook.data.eventId);
    expect(new Set(eventIds).size).toBe(expected);
    expect(received.map((webhook) => webhook.type).sort()).toEqual(
      [
        'certificate.issued',
        'certificate.issued',
        'certificate.reinstated',
        'certificate.revoked',
        'certificate.suspended',
        'certificate.suspended',
      ].sort(),
    );
  });
});
