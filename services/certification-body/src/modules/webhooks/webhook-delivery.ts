import type { CertificateWebhook } from '@cabc/contracts';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { TransitionListener, TransitionNotice } from '../certifications/certification.service.ts';
import { certificateStatusAt, reasonName } from '../../domain/index.ts';
import type { RunInTransaction } from '../common/unit-of-work.ts';
import { blockedUrlReason, guardedLookup, type UrlPolicy } from './url-guard.ts';
import { signWebhook, unsealWebhookSecret } from './webhook-secret.ts';
import type { Delivery, WebhooksRepository } from './webhooks.repository.ts';

export interface RetrySchedule {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** Delay before the retry that follows attempt `attemptsMade`: base·2^(n−1), capped, ±20 % jitter. */
export function webhookRetryDelay(
  attemptsMade: number,
  schedule: Pick<RetrySchedule, 'baseMs' | 'maxMs'>,
  random = Math.random,
): number {
  const nominal = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.max(1, Math.round(nominal * (0.8 + 0.4 * random())));
}

/** Enqueues delivery jobs; never throws (the reconciler covers what Redis did not take). */
export interface DeliveryScheduler {
  /** One job per delivery attempt: `webhook-<id>-<attempts>`, so duplicates collapse. */
  enqueue: (items: { id: number; attempts: number; delayMs?: number; manual?: boolean }[]) => Promise<void>;
}

/** The body subscribers receive for a transition (Standard Webhooks: type, timestamp, data). */
export function webhookPayload(notice: TransitionNotice, statusUrl: string | undefined): CertificateWebhook {
  const { certification, certificate, entry } = notice;
  return {
    type: notice.type,
    timestamp: entry.at.toISOString(),
    data: {
      eventId: notice.eventId,
      certificateId: certificate.id,
      certificationId: certification.id,
      toe: certification.toe,
      toeName: certification.toeName,
      org: certification.org,
      scopeVersion: certification.scopeVersion,
      scopeDigest: certification.scopeDigest,
      from: entry.from,
      to: entry.to,
      status: certificateStatusAt(certificate, entry.at).status,
      reasonCode: entry.reasonCode,
      reason: reasonName(entry.reasonCode),
      detail: entry.reason,
      cause: entry.cause,
      at: entry.at.toISOString(),
      issuedAt: certificate.issuedAt.toISOString(),
      expiresAt: certificate.expiresAt.toISOString(),
      revokedAt: certificate.revokedAt?.toISOString() ?? null,
      ...(statusUrl ? { statusUrl } : {}),
    },
  };
}

/**
 * The outbox half: every transition writes one delivery row per matching active subscription in the transaction that
 * made the transition; the jobs are enqueued after it commits.
 */
export function createWebhookFanout(deps: {
  webhooks: WebhooksRepository;
  scheduler: DeliveryScheduler;
  maxAttempts: number;
  publicBaseUrl?: string;
}): TransitionListener {
  return async (notice, uow) => {
    const subscriptions = await deps.webhooks.matchingSubscriptions(
      { org: notice.certification.org, toe: notice.certification.toe, type: notice.type },
      uow.trx,
    );
    if (subscriptions.length === 0) return;
    const statusUrl = deps.publicBaseUrl
      ? new URL(`/v1/status/${notice.certificate.id}`, deps.publicBaseUrl).toString()
      : undefined;
    const payload = JSON.stringify(webhookPayload(notice, statusUrl));
    const ids: number[] = [];
    for (const subscription of subscriptions) {
      ids.push(
        await deps.webhooks.insertDelivery(
          {
            messageId: `msg_${randomUUID().replaceAll('-', '')}`,
            subscriptionId: subscription.id,
            eventType: notice.type,
            certificateId: notice.certificate.id,
            certificateEventId: notice.eventId,
            payload,
            status: 'pending',
            maxAttempts: deps.maxAttempts,
            nextAttemptAt: notice.entry.at,
            createdAt: notice.entry.at,
          },
          uow.trx,
        ),
      );
    }
    uow.afterCommit(() => deps.scheduler.enqueue(ids.map((id) => ({ id, attempts: 0 }))));
  };
}

interface HttpResult {
  status?: number;
  body?: string;
  error?: string;
}

/** The most of a receiver's answer we keep: a non-2xx body's first bytes, enough to say why it refused. */
const RESPONSE_KEEP_BYTES = 256;

const succeededStatus = (status: number | null | undefined) =>
  status !== undefined && status !== null && status >= 200 && status < 300;

/**
 * What is stored and shown of a receiver's answer: nothing for a 2xx, at most RESPONSE_KEEP_BYTES UTF-8 bytes
 * otherwise. Whatever a URL answers is read back to its subscriber, so the CB must not become a way to read
 * another host's pages; NUL is dropped because Postgres text cannot hold it.
 */
export function keptResponseBody(
  status: number | null | undefined,
  body: Buffer | string | null | undefined,
): string | null {
  if (succeededStatus(status) || body === null || body === undefined) return null;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let text = bytes.subarray(0, RESPONSE_KEEP_BYTES).toString('utf8').replaceAll('\u0000', '');
  // A cut multi-byte character (or invalid bytes) decodes to U+FFFD, which can make the text longer than what was cut.
  while (Buffer.byteLength(text, 'utf8') > RESPONSE_KEEP_BYTES) text = text.slice(0, -1);
  return text;
}

/**
 * One POST with node:http(s): no redirects, a guarded DNS lookup, a hard deadline. Of the answer only the status is
 * kept, and for a non-2xx the first RESPONSE_KEEP_BYTES of the body; reading stops there.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  policy: UrlPolicy,
): Promise<HttpResult> {
  const refused = blockedUrlReason(url, policy);
  if (refused) return Promise.resolve({ error: `refused: ${refused}` });
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(policy) as never,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        const body = () => keptResponseBody(status, Buffer.concat(chunks)) ?? undefined;
        // Also catches what destroying the response below may emit; the promise has settled by then.
        response.on('error', (error) => resolve({ status, body: body(), error: error.message }));
        const done = () => {
          resolve({ status, body: body() });
          response.destroy();
        };
        if (succeededStatus(status)) return done();
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          kept += chunk.length;
          if (kept >= RESPONSE_KEEP_BYTES) done();
        });
        response.on('end', done);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `${error.code ?? error.name}: ${error.message}`;
      resolve({ error: reason });
    });
    request.end(body);
  });
}

export type AttemptOutcome = 'delivered' | 'retry_scheduled' | 'failed' | 'cancelled' | 'not_due';

/**
 * The delivery worker's processor: one attempt of one delivery. The schedule lives in Postgres (next_attempt_at),
 * so nothing is lost with Redis; every attempt is logged; a subscription failing without a single success for
 * longer than `disableAfterMs` is disabled, its pending deliveries cancelled and its owner notified.
 */
export function createWebhookDelivery(deps: {
  webhooks: WebhooksRepository;
  audit: AuditRepository;
  runInTransaction: RunInTransaction;
  scheduler: DeliveryScheduler;
  operatorSecret: string;
  urlPolicy: UrlPolicy;
  retry: RetrySchedule;
  timeoutMs: number;
  disableAfterMs: number;
  logger: Logger;
  now: () => Date;
  userAgent?: string;
  /** Told each attempt's outcome (the metrics). */
  onAttempt?: ((outcome: AttemptOutcome, delivery: Delivery | undefined) => void) | undefined;
}) {
  const leaseMs = deps.timeoutMs + 30_000;
  const done = (outcome: AttemptOutcome, delivery?: Delivery) => {
    deps.onAttempt?.(outcome, delivery);
    return outcome;
  };

  async function settle(
    delivery: Delivery,
    trigger: 'automatic' | 'manual',
    startedAt: Date,
    durationMs: number,
    result: HttpResult,
  ): Promise<AttemptOutcome> {
    const succeeded = succeededStatus(result.status);
    const error = succeeded ? null : (result.error ?? `receiver answered HTTP ${result.status}`);
    return deps.runInTransaction(async (uow) => {
      const at = deps.now();
      // The subscription row lock serializes this with any other attempt that may be disabling it right now.
      const subscription = await deps.webhooks.subscriptionForUpdate(delivery.subscriptionId, uow.trx);
      const current = await deps.webhooks.delivery(delivery.id, uow.trx);
      await deps.webhooks.recordAttempt(
        {
          deliveryId: delivery.id,
          attempt: delivery.attempts,
          trigger,
          startedAt,
          durationMs,
          outcome: succeeded ? 'succeeded' : 'failed',
          responseStatus: result.status ?? null,
          responseBody: keptResponseBody(result.status, result.body),
          error,
        },
        uow.trx,
      );
      if (succeeded) {
        await deps.webhooks.settleDelivery(
          delivery.id,
          {
            status: 'delivered',
            nextAttemptAt: null,
            lastError: null,
            lastResponseStatus: result.status!,
            deliveredAt: at,
          },
          uow.trx,
        );
        await deps.webhooks.updateSubscription(
          delivery.subscriptionId,
          { failingSince: null, lastSuccessAt: at },
          at,
          uow.trx,
        );
        return 'delivered';
      }
      if (current?.status === 'cancelled' || !subscription || subscription.status !== 'active') {
        // Cancelled while this attempt was in flight (subscription disabled or deleted): it stays cancelled.
        await deps.webhooks.settleDelivery(
          delivery.id,
          {
            status: 'cancelled',
            nextAttemptAt: null,
            lastError: current?.lastError ?? error,
            lastResponseStatus: result.status ?? null,
          },
          uow.trx,
        );
        return 'cancelled';
      }
      const exhausted = delivery.attempts >= delivery.maxAttempts;
      const nextAttemptAt = exhausted
        ? null
        : new Date(at.getTime() + webhookRetryDelay(delivery.attempts, deps.retry));
      await deps.webhooks.settleDelivery(
        delivery.id,
        {
          status: exhausted ? 'failed' : 'pending',
          nextAttemptAt,
          lastError: error,
          lastResponseStatus: result.status ?? null,
        },
        uow.trx,
      );
      const failingSince = subscription.failingSince ?? startedAt;
      if (!subscription.failingSince)
        await deps.webhooks.updateSubscription(subscription.id, { failingSince }, at, uow.trx);
      if (at.getTime() - failingSince.getTime() >= deps.disableAfterMs) {
        const days = ((at.getTime() - failingSince.getTime()) / 86_400_000).toFixed(1);
        const reason = `every delivery failed since ${failingSince.toISOString()} (${days} days); last error: ${error}`;
        await deps.webhooks.updateSubscription(
          subscription.id,
          { status: 'disabled', disabledReason: reason, disabledAt: at },
          at,
          uow.trx,
        );
        const cancelled = await deps.webhooks.cancelPending(subscription.id, 'subscription disabled', uow.trx);
        await deps.webhooks.notify(
          {
            org: subscription.ownerOrg,
            recipient: subscription.createdBy,
            kind: 'webhook_subscription.disabled',
            subjectType: 'webhook_subscription',
            subjectId: subscription.id,
            message:
              `Webhook subscription ${subscription.id} (${subscription.url}) was disabled: ${reason}. ` +
              `${cancelled} pending deliveries were cancelled. Fix the receiver, enable the subscription ` +
              `(POST /v1/webhooks/subscriptions/${subscription.id}/enable) and redeliver what you missed.`,
            at,
          },
          uow.trx,
        );
        await deps.audit.record(
          {
            at,
            actor: { type: 'system', component: 'webhook-delivery' },
            action: 'webhook_subscription.disable',
            targetType: 'webhook_subscription',
            targetId: subscription.id,
            org: subscription.ownerOrg,
            before: { status: 'active', failingSince: failingSince.toISOString() },
            after: { status: 'disabled', cancelledDeliveries: cancelled },
            comment: reason,
            requestId: null,
          },
          uow.trx,
        );
        // The URL stays out of the log: receivers often carry a secret in it.
        deps.logger.warn(
          { subscriptionId: subscription.id, failingSince },
          'webhook subscription disabled after failing continuously',
        );
        return 'cancelled';
      }
      if (nextAttemptAt) {
        const delayMs = Math.max(0, nextAttemptAt.getTime() - at.getTime());
        uow.afterCommit(() => deps.scheduler.enqueue([{ id: delivery.id, attempts: delivery.attempts, delayMs }]));
      }
      return exhausted ? 'failed' : 'retry_scheduled';
    });
  }

  return {
    async attempt(deliveryId: number): Promise<AttemptOutcome> {
      const startedAt = deps.now();
      const delivery = await deps.webhooks.claim(deliveryId, startedAt, leaseMs);
      if (!delivery) return done('not_due');
      const trigger = delivery.manualPending ? 'manual' : 'automatic';
      const subscription = await deps.webhooks.subscription(delivery.subscriptionId);
      if (!subscription || subscription.status !== 'active') {
        await deps.runInTransaction(async (uow) => {
          await deps.webhooks.settleDelivery(
            delivery.id,
            {
              status: 'cancelled',
              nextAttemptAt: null,
              lastError: `subscription ${subscription?.status ?? 'deleted'}`,
              lastResponseStatus: null,
            },
            uow.trx,
          );
        });
        return done('cancelled', delivery);
      }
      const secret = unsealWebhookSecret(subscription.sealedSecret, deps.operatorSecret, subscription.id);
      // The transport timestamp is wall-clock time: receivers compare it with their own clock to refuse replays.
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': deps.userAgent ?? 'cabc-certification-body-webhooks/0.1',
        'webhook-id': delivery.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, delivery.messageId, timestamp, delivery.payload),
      };
      const clock = performance.now();
      const result = await post(new URL(subscription.url), headers, delivery.payload, deps.timeoutMs, deps.urlPolicy);
      const outcome = await settle(delivery, trigger, startedAt, Math.round(performance.now() - clock), result);
      deps.logger.debug(
        { deliveryId, attempt: delivery.attempts, outcome, status: result.status, error: result.error },
        'webhook attempt',
      );
      return done(outcome, delivery);
    },
  };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
