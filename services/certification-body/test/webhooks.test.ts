import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypedQueue } from '@cabc/service-kit';
import { expectProblem, waitFor } from '@cabc/testing';
import { bearer, startCertificationApp, testClock, type CertificationFixture } from './support/certification-app.ts';
import { auditor, DAY } from './support/scenario.ts';
import { signatureVerifies, startWebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver.ts';

/** The receivers here listen on 127.0.0.1: only reachable when loopback is allowed (it is not by default). */
const loopbackReceivers = { WEBHOOK_ALLOW_LOOPBACK: 'true' };

/** A shrunk retry schedule: 100 ms doubling up to 400 ms, many attempts, the reconciler every 100 ms. */
const fastRetries = {
  ...loopbackReceivers,
  RECONCILE_INTERVAL: '100ms',
  WEBHOOK_RETRY_BASE_DELAY: '100ms',
  WEBHOOK_RETRY_MAX_DELAY: '400ms',
  WEBHOOK_MAX_ATTEMPTS: '200',
  WEBHOOK_TIMEOUT: '2s',
};

type Role = Parameters<typeof bearer>[0];

function webhooksApi(fixture: CertificationFixture) {
  return {
    async subscribe(role: Role, org: string, body: Record<string, unknown>) {
      return fixture.app.inject({
        method: 'POST',
        url: '/v1/webhooks/subscriptions',
        headers: await bearer(role, org),
        payload: body,
      });
    },
    async subscribed(role: Role, org: string, body: Record<string, unknown>) {
      const response = await this.subscribe(role, org, body);
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { id: string; secret: string; status: string };
    },
    /** Certification body staff working on acme unless told otherwise (every token is scoped to one organization). */
    async get(url: string, role: Role = 'certification_body', org = 'acme') {
      return fixture.app.inject({ method: 'GET', url, headers: await bearer(role, org) });
    },
    async deliveries(subscription: string) {
      const response = await this.get(`/v1/webhooks/deliveries?subscription=${subscription}&limit=200`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().items as {
        id: number;
        messageId: string;
        status: string;
        eventType: string;
        attempts: number;
        attemptLog: {
          attempt: number;
          trigger: string;
          outcome: string;
          responseStatus: number | null;
          responseBody: string | null;
          error: string | null;
        }[];
      }[];
    },
    async redeliver(id: number, role: Role = 'certification_body', org = 'acme') {
      return fixture.app.inject({
        method: 'POST',
        url: `/v1/webhooks/deliveries/${id}/redeliver`,
        headers: await bearer(role, org),
      });
    },
  };
}

const parsed = (webhook: ReceivedWebhook) =>
  JSON.parse(webhook.body) as { type: string; timestamp: string; data: Record<string, unknown> };
const idsOf = (received: ReceivedWebhook[]) => received.map((webhook) => webhook.id);

describe('webhook subscriptions: who may subscribe, to what URL', () => {
  let fixture: CertificationFixture;
  let api: ReturnType<typeof webhooksApi>;
  beforeAll(async () => {
    fixture = await startCertificationApp({ env: loopbackReceivers });
    api = webhooksApi(fixture);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it.each([
    ['a non-http scheme', 'ftp://127.0.0.1/hooks'],
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['not a URL', 'receiver.example/hooks'],
    ['the link-local metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a link-local address in decimal', 'http://2852039166/'],
    ['an IPv6 link-local address', 'http://[fe80::1]:8080/hooks'],
    ['an IPv4-mapped link-local address', 'http://[::ffff:169.254.169.254]/'],
    ['the Alibaba metadata address', 'http://100.100.100.200/latest/meta-data/'],
    ['the GCP metadata host', 'http://metadata.google.internal/computeMetadata/v1/'],
    ['the AWS IPv6 metadata address', 'http://[fd00:ec2::254]/'],
    ['the unspecified address', 'http://0.0.0.0:8080/'],
    ['credentials in the URL', 'https://user:secret@127.0.0.1/hooks'],
  ])('refuses %s with 422 naming url', async (_what, url) => {
    const response = await api.subscribe('auditee', 'acme', { url });
    const problem = expectProblem(response, 422, 'url');
    expect(problem.type).toBe('https://cabc.dev/problems/invalid-webhook-url');
  });

  it('accepts loopback (when allowed) and https URLs, shows the whsec_ secret once and never again', async () => {
    const created = await api.subscribed('auditee', 'acme', {
      url: 'http://127.0.0.1:9/hooks',
      description: 'our receiver',
    });
    expect(created).toMatchObject({
      status: 'active',
      org: 'acme',
      ownerOrg: 'acme',
      createdBy: 'auditee-user@acme',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const listed = (await api.get('/v1/webhooks/subscriptions', 'auditee', 'acme')).json().items;
    expect(listed).toEqual([expect.objectContaining({ id: created.id, disabledReason: null })]);
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
    const { rows } = await fixture.infra.db
      .selectFrom('webhook_subscriptions')
      .select('sealed_secret')
      .execute()
      .then((sealed) => ({ rows: sealed }));
    expect(JSON.stringify(rows)).not.toContain(created.secret.slice(6));
  });

  it('keeps every subscriber to its own organization; refuses roles that do not subscribe', async () => {
    for (const role of ['auditee', 'certification_body', 'admin'] as const) {
      const refused = expectProblem(
        await api.subscribe(role, 'acme', { url: 'http://127.0.0.1:9/x', org: 'globex' }),
        403,
      );
      expect(refused.detail).toBe(
        'a subscription covers the certificates of its own organization only (acme), not globex',
      );
    }
    expectProblem(await api.subscribe('pipeline', 'acme', { url: 'http://127.0.0.1:9/x' }), 403);
    expectProblem(await api.subscribe('auditor', 'acme', { url: 'http://127.0.0.1:9/x' }), 403);
    expectProblem(
      await fixture.app.inject({
        method: 'POST',
        url: '/v1/webhooks/subscriptions',
        payload: { url: 'http://127.0.0.1:9/x' },
      }),
      401,
    );
    expectProblem(
      await api.subscribe('auditee', 'acme', { url: 'http://127.0.0.1:9/x', eventTypes: ['certificate.exploded'] }),
      400,
      'eventTypes.0',
    );
    const globex = await api.subscribed('auditee', 'globex', { url: 'http://127.0.0.1:9/globex' });
    // Another organization's subscription is invisible (404), and cannot be deleted.
    expectProblem(await api.get(`/v1/webhooks/subscriptions/${globex.id}`, 'auditee', 'acme'), 404, 'path:id');
    expectProblem(
      await fixture.app.inject({
        method: 'DELETE',
        url: `/v1/webhooks/subscriptions/${globex.id}`,
        headers: await bearer('auditee', 'acme'),
      }),
      404,
    );
    expectProblem(await api.get(`/v1/webhooks/deliveries?subscription=${globex.id}`, 'auditee', 'acme'), 404);
    // The certification body's staff and admins of acme do not see globex's subscription either (404, empty lists).
    for (const role of ['certification_body', 'admin'] as const) {
      expectProblem(await api.get(`/v1/webhooks/subscriptions/${globex.id}`, role, 'acme'), 404, 'path:id');
      expectProblem(await api.get(`/v1/webhooks/deliveries?subscription=${globex.id}`, role, 'acme'), 404, 'path:id');
      const headers = await bearer(role, 'acme');
      expectProblem(
        await fixture.app.inject({ method: 'POST', url: `/v1/webhooks/subscriptions/${globex.id}/enable`, headers }),
        404,
        'path:id',
      );
      expectProblem(
        await fixture.app.inject({ method: 'DELETE', url: `/v1/webhooks/subscriptions/${globex.id}`, headers }),
        404,
        'path:id',
      );
      const listed = (await api.get('/v1/webhooks/subscriptions?ownerOrg=globex', role, 'acme')).json().items;
      expect(listed).toEqual([]);
      expect(
        (await api.get('/v1/webhooks/subscriptions', role, 'acme'))
          .json()
          .items.map((item: { ownerOrg: string }) => item.ownerOrg),
      ).not.toContain('globex');
    }
    expect((await api.get(`/v1/webhooks/subscriptions/${globex.id}`, 'admin', 'globex')).json()).toMatchObject({
      id: globex.id,
      status: 'active',
    });
    // A subscription always covers its owner's certificates: `org` omitted or naming it.
    expect(await api.subscribed('certification_body', 'acme', { url: 'https://registry.example/hooks' })).toMatchObject(
      { org: 'acme', ownerOrg: 'acme' },
    );
    expect(await api.subscribed('admin', 'acme', { url: 'https://registry.example/hooks', org: 'acme' })).toMatchObject(
      { org: 'acme', ownerOrg: 'acme' },
    );
  });

  it('deletes a subscription (then it is gone from the list)', async () => {
    const created = await api.subscribed('auditee', 'initech', { url: 'http://127.0.0.1:9/x' });
    const deleted = await fixture.app.inject({
      method: 'DELETE',
      url: `/v1/webhooks/subscriptions/${created.id}`,
      headers: await bearer('auditee', 'initech'),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await api.get('/v1/webhooks/subscriptions', 'auditee', 'initech')).json().items).toEqual([]);
  });
});

describe('webhook subscriptions by default (WEBHOOK_ALLOW_LOOPBACK and WEBHOOK_ALLOW_PRIVATE_NETWORKS unset)', () => {
  let fixture: CertificationFixture;
  let api: ReturnType<typeof webhooksApi>;
  beforeAll(async () => {
    fixture = await startCertificationApp();
    api = webhooksApi(fixture);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hooks'],
    ['loopback by name', 'http://localhost:8080/hooks'],
    ['IPv6 loopback', 'http://[::1]:8080/hooks'],
    ['loopback as an IPv4-mapped address', 'http://[::ffff:127.0.0.1]/hooks'],
    ['an RFC 1918 address', 'http://10.1.2.3/hooks'],
    ['another RFC 1918 address', 'http://192.168.0.10/hooks'],
    ['a CGNAT address', 'http://100.64.0.1/hooks'],
    ['a unique-local IPv6 address', 'http://[fd12:3456::1]/hooks'],
  ])('refuses %s with 422 naming url', async (_what, url) => {
    const problem = expectProblem(await api.subscribe('auditee', 'acme', { url }), 422, 'url');
    expect(problem.type).toBe('https://cabc.dev/problems/invalid-webhook-url');
  });

  it('accepts a public https URL', async () => {
    expect(await api.subscribed('auditee', 'acme', { url: 'https://hooks.example.com/cabc' })).toMatchObject({
      status: 'active',
      org: 'acme',
    });
  });
});

describe('webhook delivery to a real local receiver', () => {
  const clock = testClock();
  let fixture: CertificationFixture;
  let api: ReturnType<typeof webhooksApi>;
  let drive: ReturnType<typeof auditor>;
  beforeAll(async () => {
    fixture = await startCertificationApp({ workers: true, now: clock.now, env: fastRetries });
    api = webhooksApi(fixture);
    drive = auditor(fixture);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('delivers every transition exactly once, with signatures that verify, to the subscribers that match', async () => {
    const acme = await startWebhookReceiver();
    const globex = await startWebhookReceiver();
    const registry = await startWebhookReceiver({ status: 200 });
    const acmeSubscription = await api.subscribed('auditee', 'acme', { url: acme.url });
    await api.subscribed('auditee', 'globex', { url: globex.url });
    const registrySubscription = await api.subscribed('certification_body', 'acme', {
      url: registry.url,
      eventTypes: ['certificate.revoked'],
    });
    // Another organization's subscription hears nothing of acme's certificates, nor does one from before every
    // subscription was scoped to its owner (no org filter, owned by the certification body's own organization).
    const elsewhere = await startWebhookReceiver();
    const elsewhereSubscription = await api.subscribed('certification_body', 'cb', { url: elsewhere.url });
    const legacySubscription = randomUUID();
    await fixture.infra.db.transaction().execute(async (trx) => {
      const created = new Date();
      await fixture.body.webhooks.insertSubscription(
        {
          id: legacySubscription,
          ownerOrg: 'cb',
          createdBy: 'certification_body-user@cb',
          url: elsewhere.url,
          description: 'every organization (legacy)',
          sealedSecret: 'v1.x.y.z',
          filterOrg: null,
          filterToe: null,
          eventTypes: null,
          status: 'active',
          disabledReason: null,
          disabledAt: null,
          failingSince: null,
          lastSuccessAt: null,
          createdAt: created,
          updatedAt: created,
        },
        trx,
      );
    });

    const toe = 'toe-webhooks';
    await drive.approve(toe, 1);
    const { certificateId } = await drive.posture(toe, 'compliant');
    await drive.posture(toe, 'non_compliant');
    await drive.posture(toe, 'compliant');
    await drive.posture(toe, 'non_compliant');
    // The grace period runs out; the service's own deadline scheduler (every 100 ms here) revokes the certificate.
    clock.advance(7 * DAY + 1_000);
    await waitFor('the scheduler revoking the certificate', async () => {
      const status = await fixture.app.inject({ method: 'GET', url: `/v1/status/${certificateId}` });
      return status.json().status === 'revoked';
    });

    const all = await waitFor('five webhooks at the acme receiver', () =>
      acme.received.length >= 5 ? acme.received : undefined,
    );
    await waitFor('one webhook at the registry', () => registry.received.length >= 1);
    // Give retries and the reconciler time to misbehave, then check nothing came twice.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(acme.received).toHaveLength(5);
    expect(new Set(idsOf(all)).size).toBe(5);
    for (const webhook of all) {
      expect(signatureVerifies(acmeSubscription.secret, webhook), webhook.body).toBe(true);
      expect(signatureVerifies(registrySubscription.secret, webhook)).toBe(false);
      expect(webhook.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(webhook.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    }
    const events = all.map(parsed).sort((a, b) => Number(a.data.eventId) - Number(b.data.eventId));
    expect(events.map((event) => event.type)).toEqual([
      'certificate.issued',
      'certificate.suspended',
      'certificate.reinstated',
      'certificate.suspended',
      'certificate.revoked',
    ]);
    expect(events.map((event) => `${event.data.from}->${event.data.to}:${event.data.reasonCode}`)).toEqual([
      'none->issued:1',
      'issued->suspended:2',
      'suspended->issued:1',
      'issued->suspended:2',
      'suspended->revoked:4',
    ]);
    expect(events[4]!.data).toMatchObject({
      certificateId,
      toe,
      org: 'acme',
      scopeVersion: 1,
      status: 'revoked',
      reason: 'grace_period_elapsed',
      cause: { kind: 'schedule' },
    });

    expect(registry.received).toHaveLength(1);
    expect(parsed(registry.received[0]!).type).toBe('certificate.revoked');
    expect(signatureVerifies(registrySubscription.secret, registry.received[0]!)).toBe(true);
    expect(globex.received).toHaveLength(0);
    expect(elsewhere.received).toHaveLength(0);
    const { rows: strayDeliveries } = await sql<{ count: number }>`
      select count(*)::int as count from webhook_deliveries where subscription_id in (${elsewhereSubscription.id}, ${legacySubscription})`.execute(
      fixture.infra.db,
    );
    expect(strayDeliveries).toEqual([{ count: 0 }]);

    // The delivery log: one attempt each, succeeded.
    const log = await api.deliveries(acmeSubscription.id);
    expect(log).toHaveLength(5);
    for (const delivery of log) {
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(delivery.attemptLog).toEqual([
        expect.objectContaining({ attempt: 1, trigger: 'automatic', outcome: 'succeeded', responseStatus: 204 }),
      ]);
    }
    for (const receiver of [acme, globex, registry, elsewhere]) await receiver.stop();
  });

  it('delivers every transition exactly once after the receiver was down for a while, even when Redis lost the jobs', async () => {
    const receiver = await startWebhookReceiver();
    const subscription = await api.subscribed('auditee', 'acme', { url: receiver.url, toe: 'toe-down' });
    await receiver.stop();

    await drive.approve('toe-down', 1);
    await drive.posture('toe-down', 'compliant');
    await drive.posture('toe-down', 'non_compliant');
    await drive.posture('toe-down', 'compliant');

    const failing = await waitFor('every delivery failing twice', async () => {
      const log = await api.deliveries(subscription.id);
      return log.length === 3 &&
        log.every((delivery) => delivery.attemptLog.filter((attempt) => attempt.outcome === 'failed').length >= 2)
        ? log
        : undefined;
    });
    expect(failing.every((delivery) => delivery.status === 'pending')).toBe(true);
    expect(failing[0]!.attemptLog[0]!.error).toMatch(/ECONNREFUSED/);
    // Redis loses every queued job (the delayed retries too): the reconciler must find the owed work in Postgres.
    const queue = new TypedQueue('certification.webhooks', fixture.body.queues);
    await queue.queue.obliterate({ force: true });
    await queue.close();

    await receiver.start();
    await waitFor(
      'three webhooks after the receiver came back',
      () => (receiver.received.length >= 3 ? true : undefined),
      { timeoutMs: 20_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.received).toHaveLength(3);
    expect(new Set(idsOf(receiver.received)).size).toBe(3);
    for (const webhook of receiver.received) expect(signatureVerifies(subscription.secret, webhook)).toBe(true);
    expect(
      receiver.received
        .map(parsed)
        .map((event) => event.type)
        .sort(),
    ).toEqual(['certificate.issued', 'certificate.reinstated', 'certificate.suspended']);

    const log = await api.deliveries(subscription.id);
    for (const delivery of log) {
      expect(delivery.status).toBe('delivered');
      expect(delivery.attemptLog.at(-1)).toMatchObject({ outcome: 'succeeded' });
      expect(delivery.attemptLog.filter((attempt) => attempt.outcome === 'failed').length).toBeGreaterThanOrEqual(2);
      expect(delivery.attemptLog.map((attempt) => attempt.attempt)).toEqual(
        delivery.attemptLog.map((_, index) => index + 1),
      );
    }
    // Failing for seconds is far from the disable window: the subscription stays active and healthy.
    expect((await api.get(`/v1/webhooks/subscriptions/${subscription.id}`)).json()).toMatchObject({
      status: 'active',
      failingSince: null,
      lastSuccessAt: expect.any(String),
    });
    await receiver.stop();
  });

  it('redelivers on request: the same webhook-id again, logged as a manual attempt', async () => {
    const receiver = await startWebhookReceiver();
    const subscription = await api.subscribed('auditee', 'acme', { url: receiver.url, toe: 'toe-redeliver' });
    await drive.approve('toe-redeliver', 1);
    await drive.posture('toe-redeliver', 'compliant');
    await waitFor('the first delivery', () => receiver.received.length === 1);
    // The receiver has answered; the attempt settles right after.
    const delivery = await waitFor('the delivery settled', async () => {
      const [latest] = await api.deliveries(subscription.id);
      return latest?.status === 'delivered' ? latest : undefined;
    });

    expectProblem(await api.redeliver(delivery!.id, 'auditee', 'globex'), 404, 'path:id');
    const requested = await api.redeliver(delivery!.id, 'auditee', 'acme');
    expect(requested.statusCode, requested.body).toBe(202);
    expect(requested.json()).toMatchObject({ id: delivery!.id, status: 'pending' });
    await waitFor('the redelivery', () => receiver.received.length === 2);
    expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(signatureVerifies(subscription.secret, receiver.received[1]!)).toBe(true);
    const after = await waitFor('the manual attempt logged', async () => {
      const [latest] = await api.deliveries(subscription.id);
      return latest!.status === 'delivered' && latest!.attemptLog.length === 2 ? latest : undefined;
    });
    expect(after.attemptLog.map((attempt) => `${attempt.trigger}:${attempt.outcome}`)).toEqual([
      'automatic:succeeded',
      'manual:succeeded',
    ]);
    const audit = (
      await api.get(`/v1/audit-events?targetType=webhook_delivery&targetId=${delivery!.id}`, 'admin', 'acme')
    ).json().items;
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'webhook_delivery.redeliver',
        actor: expect.objectContaining({ role: 'auditee', org: 'acme' }),
      }),
    ]);
    await receiver.stop();
  });

  it('keeps retrying a receiver that answers 5xx, and logs every answer: its status, and at most 256 bytes of a refusal', async () => {
    // 300 bytes: 255 ASCII, then a 3-byte character cut by the 256-byte limit, then more.
    const refusal = `${'r'.repeat(255)}€${'s'.repeat(42)}`;
    const receiver = await startWebhookReceiver({ status: 503, body: refusal });
    const subscription = await api.subscribed('auditee', 'acme', { url: receiver.url, toe: 'toe-5xx' });
    await drive.approve('toe-5xx', 1);
    await drive.posture('toe-5xx', 'compliant');
    await waitFor('three refused attempts', () => receiver.received.length >= 3);
    receiver.answerWith(200, 'a receiver saying more than it needs to');
    const delivered = await waitFor('the delivery', async () => {
      const [delivery] = await api.deliveries(subscription.id);
      return delivery!.status === 'delivered' ? delivery : undefined;
    });
    expect(delivered!.attemptLog.slice(0, 3).map((attempt) => attempt.responseStatus)).toEqual([503, 503, 503]);
    // The character the limit cuts is dropped whole: 255 bytes kept.
    expect(delivered!.attemptLog.slice(0, 3).map((attempt) => attempt.responseBody)).toEqual(
      Array(3).fill('r'.repeat(255)),
    );
    expect(delivered!.attemptLog.at(-1)).toMatchObject({
      outcome: 'succeeded',
      responseStatus: 200,
      responseBody: null,
    });
    // Stored, not only shown, that way.
    const { rows: stored } = await sql<{ response_status: number; response_body: string | null }>`
      select response_status, response_body from webhook_delivery_attempts where delivery_id = ${delivered!.id} order by attempt`.execute(
      fixture.infra.db,
    );
    expect(stored.at(-1)).toEqual({ response_status: 200, response_body: null });
    for (const attempt of stored.slice(0, -1))
      expect(attempt).toEqual({ response_status: 503, response_body: 'r'.repeat(255) });
    expect(new Set(idsOf(receiver.received)).size).toBe(1);
    await receiver.stop();
  });
});

describe('webhook subscriptions that keep failing are disabled and their owner told (controllable clock)', () => {
  const clock = testClock();
  let fixture: CertificationFixture;
  let api: ReturnType<typeof webhooksApi>;
  let drive: ReturnType<typeof auditor>;
  let deadUrl: string;
  beforeAll(async () => {
    fixture = await startCertificationApp({
      workers: true,
      now: clock.now,
      env: { ...fastRetries, WEBHOOK_RETRY_BASE_DELAY: '200ms', WEBHOOK_RETRY_MAX_DELAY: '200ms' },
    });
    api = webhooksApi(fixture);
    drive = auditor(fixture);
    // A port nothing listens on.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    deadUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/hooks`;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('disables after failing continuously past WEBHOOK_DISABLE_AFTER (3 days), cancels what is pending, notifies and audits', async () => {
    const subscription = await api.subscribed('auditee', 'acme', { url: deadUrl, toe: 'toe-dead' });
    await drive.approve('toe-dead', 1);
    await drive.posture('toe-dead', 'compliant');
    await waitFor(
      'a first failed attempt',
      async () => ((await api.deliveries(subscription.id))[0]?.attemptLog.length ?? 0) >= 1,
    );
    const failingSince = (await api.get(`/v1/webhooks/subscriptions/${subscription.id}`)).json().failingSince;
    expect(failingSince).toEqual(expect.any(String));

    // Two days of failures: still active.
    clock.advance(2 * DAY);
    await drive.posture('toe-dead', 'non_compliant');
    await waitFor('attempts after two days', async () => (await api.deliveries(subscription.id)).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await api.get(`/v1/webhooks/subscriptions/${subscription.id}`)).json()).toMatchObject({
      status: 'active',
      failingSince,
    });

    clock.advance(DAY + 60_000);
    const disabled = await waitFor('the subscription disabled', async () => {
      const view = (await api.get(`/v1/webhooks/subscriptions/${subscription.id}`, 'auditee', 'acme')).json();
      return view.status === 'disabled' ? view : undefined;
    });
    expect(disabled.disabledReason).toMatch(
      new RegExp(
        `every delivery failed since ${failingSince.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(3\\.0 days\\); last error: .*ECONNREFUSED`,
      ),
    );
    expect(disabled.disabledAt).toEqual(expect.any(String));
    // The owner sees it in the subscription list and in its notifications.
    const listed = (await api.get('/v1/webhooks/subscriptions', 'auditee', 'acme')).json().items;
    expect(listed.find((item: { id: string }) => item.id === subscription.id)).toMatchObject({
      status: 'disabled',
      disabledReason: disabled.disabledReason,
    });
    const notifications = (await api.get('/v1/notifications', 'auditee', 'acme')).json().items;
    expect(notifications).toEqual([
      expect.objectContaining({
        kind: 'webhook_subscription.disabled',
        subjectId: subscription.id,
        recipient: 'auditee-user@acme',
        message: expect.stringContaining('/enable'),
      }),
    ]);
    expect((await api.get('/v1/notifications', 'auditee', 'globex')).json().items).toEqual([]);
    const audit = (await api.get(`/v1/audit-events?targetType=webhook_subscription&targetId=${subscription.id}`)).json()
      .items;
    expect(audit[0]).toMatchObject({
      action: 'webhook_subscription.disable',
      actor: { type: 'system', component: 'webhook-delivery' },
    });
    // Nothing is pending any more; new transitions are not queued for it; redelivery waits for re-enabling.
    const log = await api.deliveries(subscription.id);
    expect(log.map((delivery) => delivery.status).sort()).toEqual(['cancelled', 'cancelled']);
    await drive.posture('toe-dead', 'compliant');
    expect(await api.deliveries(subscription.id)).toHaveLength(2);
    const refused = expectProblem(await api.redeliver(log[0]!.id, 'auditee', 'acme'), 409);
    expect(refused.detail).toMatch(/disabled/);

    const enabled = await fixture.app.inject({
      method: 'POST',
      url: `/v1/webhooks/subscriptions/${subscription.id}/enable`,
      headers: await bearer('auditee', 'acme'),
    });
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(enabled.json()).toMatchObject({ status: 'active', disabledReason: null, failingSince: null });
    expect((await api.redeliver(log[0]!.id, 'auditee', 'acme')).statusCode).toBe(202);
  });
});

describe('webhook deliveries of unknown ids', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('answers 404 for an unknown delivery or subscription, 400 for a malformed one', async () => {
    const headers = await bearer('admin', 'ops');
    expectProblem(
      await fixture.app.inject({ method: 'POST', url: '/v1/webhooks/deliveries/999999/redeliver', headers }),
      404,
      'path:id',
    );
    expectProblem(
      await fixture.app.inject({ method: 'GET', url: `/v1/webhooks/deliveries?subscription=${randomUUID()}`, headers }),
      404,
      'path:id',
    );
    expectProblem(
      await fixture.app.inject({ method: 'GET', url: '/v1/webhooks/deliveries?subscription=nope', headers }),
      400,
      'query:subscription',
    );
    expectProblem(
      await fixture.app.inject({ method: 'GET', url: '/v1/webhooks/deliveries/abc', headers }),
      400,
      'path:id',
    );
  });
});

describe('webhook delivery leases', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('lets one attempt at a time take a delivery, even when the business clock jumps ahead of the lease', async () => {
    const { webhooks } = fixture.body;
    const now = new Date();
    const subscriptionId = randomUUID();
    await fixture.infra.db.transaction().execute(async (trx) => {
      await webhooks.insertSubscription(
        {
          id: subscriptionId,
          ownerOrg: 'acme',
          createdBy: 'tester',
          url: 'http://127.0.0.1:9/x',
          description: null,
          sealedSecret: 'v1.x.y.z',
          filterOrg: 'acme',
          filterToe: null,
          eventTypes: null,
          status: 'active',
          disabledReason: null,
          disabledAt: null,
          failingSince: null,
          lastSuccessAt: null,
          createdAt: now,
          updatedAt: now,
        },
        trx,
      );
    });
    const id = await fixture.infra.db.transaction().execute((trx) =>
      webhooks.insertDelivery(
        {
          messageId: `msg_${randomUUID()}`,
          subscriptionId,
          eventType: 'certificate.issued',
          certificateId: null,
          certificateEventId: null,
          payload: '{}',
          status: 'pending',
          maxAttempts: 3,
          nextAttemptAt: now,
          createdAt: now,
        },
        trx,
      ),
    );
    const first = await webhooks.claim(id, now, 60_000);
    expect(first).toMatchObject({ id, attempts: 1 });
    expect(await webhooks.claim(id, now, 60_000)).toBeUndefined();
    expect(await webhooks.claim(id, new Date(now.getTime() + 7 * DAY), 60_000)).toBeUndefined();
    expect(await webhooks.dueDeliveries(new Date(now.getTime() + 7 * DAY), 10)).toEqual([]);
    // Once the attempt settled (here: a retry due now), the next attempt may take it.
    await fixture.infra.db
      .transaction()
      .execute((trx) =>
        webhooks.settleDelivery(
          id,
          { status: 'pending', nextAttemptAt: now, lastError: 'HTTP 503', lastResponseStatus: 503 },
          trx,
        ),
      );
    expect(await webhooks.dueDeliveries(now, 10)).toEqual([{ id, attempts: 1 }]);
    expect(await webhooks.claim(id, now, 60_000)).toMatchObject({ attempts: 2 });
  });
});
