import { randomUUID } from 'node:crypto';
import type { Principal } from '@cabc/auth';
import { ConflictProblem, ForbiddenProblem, NotFoundProblem } from '@cabc/http-kit';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { actorOf } from '../common/actor.ts';
import type { RunInTransaction } from '../common/unit-of-work.ts';
import { assertWebhookUrl, type UrlPolicy } from './url-guard.ts';
import { keptResponseBody, type DeliveryScheduler } from './webhook-delivery.ts';
import { generateWebhookSecret, sealWebhookSecret } from './webhook-secret.ts';
import type {
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  Subscription,
  WebhooksRepository,
} from './webhooks.repository.ts';

export interface NewSubscription {
  url: string;
  description?: string | undefined;
  /** Whose certificates: absent or the subscriber's own organization (every token is scoped to one). */
  org?: string | undefined;
  toe?: string | undefined;
  eventTypes?: string[] | undefined;
}

export function subscriptionView(subscription: Subscription) {
  return {
    id: subscription.id,
    url: subscription.url,
    description: subscription.description,
    org: subscription.filterOrg,
    toe: subscription.filterToe,
    eventTypes: subscription.eventTypes,
    ownerOrg: subscription.ownerOrg,
    createdBy: subscription.createdBy,
    status: subscription.status as 'active' | 'disabled',
    disabledReason: subscription.disabledReason,
    disabledAt: subscription.disabledAt?.toISOString() ?? null,
    failingSince: subscription.failingSince?.toISOString() ?? null,
    lastSuccessAt: subscription.lastSuccessAt?.toISOString() ?? null,
    createdAt: subscription.createdAt.toISOString(),
  };
}

export function deliveryView(delivery: Delivery, attempts: DeliveryAttempt[]) {
  return {
    id: delivery.id,
    messageId: delivery.messageId,
    subscriptionId: delivery.subscriptionId,
    eventType: delivery.eventType,
    certificateId: delivery.certificateId,
    status: delivery.status,
    attempts: delivery.attempts,
    maxAttempts: delivery.maxAttempts,
    nextAttemptAt: delivery.status === 'pending' ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
    lastError: delivery.lastError,
    lastResponseStatus: delivery.lastResponseStatus,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    payload: JSON.parse(delivery.payload) as unknown,
    attemptLog: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      trigger: attempt.trigger,
      startedAt: attempt.startedAt.toISOString(),
      durationMs: attempt.durationMs,
      outcome: attempt.outcome,
      responseStatus: attempt.responseStatus,
      // Attempts logged before the 256-byte rule may hold more: the same rule applies when they are shown.
      responseBody: keptResponseBody(attempt.responseStatus, attempt.responseBody),
      error: attempt.error,
    })),
  };
}

/** Subscription management, the delivery log and manual redelivery; who may see what is decided here. */
export function createWebhooksService(deps: {
  webhooks: WebhooksRepository;
  audit: AuditRepository;
  runInTransaction: RunInTransaction;
  scheduler: DeliveryScheduler;
  operatorSecret: string;
  urlPolicy: UrlPolicy;
  maxAttempts: number;
  maxSubscriptionsPerOrg: number;
  now: () => Date;
}) {
  async function visibleSubscription(id: string, principal: Principal): Promise<Subscription> {
    const subscription = await deps.webhooks.subscription(id);
    if (!subscription || subscription.ownerOrg !== principal.org) {
      throw new NotFoundProblem(`no webhook subscription ${id}`, [
        { field: 'path:id', message: 'no such subscription' },
      ]);
    }
    return subscription;
  }

  const audit = (
    principal: Principal,
    requestId: string,
    action: string,
    subscription: Subscription,
    before: unknown,
    after: unknown,
    trx: Parameters<AuditRepository['record']>[1],
  ) =>
    deps.audit.record(
      {
        at: deps.now(),
        actor: actorOf(principal),
        action,
        targetType: 'webhook_subscription',
        targetId: subscription.id,
        org: subscription.ownerOrg,
        before,
        after,
        comment: null,
        requestId,
      },
      trx,
    );

  return {
    visibleSubscription,

    async create(
      principal: Principal,
      input: NewSubscription,
      requestId: string,
    ): Promise<{ subscription: Subscription; secret: string }> {
      // Every token is scoped to one organization: a subscription covers that organization's certificates only.
      if (input.org !== undefined && input.org !== principal.org) {
        throw new ForbiddenProblem(
          `a subscription covers the certificates of its own organization only (${principal.org}), not ${input.org}`,
        );
      }
      const filterOrg: string | null = principal.org;
      const url = await assertWebhookUrl(input.url, deps.urlPolicy);
      const secret = generateWebhookSecret();
      const at = deps.now();
      const id = randomUUID();
      const subscription: Subscription = {
        id,
        ownerOrg: principal.org,
        createdBy: principal.subject,
        url: url.toString(),
        description: input.description ?? null,
        sealedSecret: sealWebhookSecret(secret, deps.operatorSecret, id),
        filterOrg,
        filterToe: input.toe ?? null,
        eventTypes: input.eventTypes && input.eventTypes.length > 0 ? [...new Set(input.eventTypes)].sort() : null,
        status: 'active',
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        lastSuccessAt: null,
        createdAt: at,
        updatedAt: at,
      };
      await deps.runInTransaction(async ({ trx }) => {
        const count = await deps.webhooks.countSubscriptions(principal.org, trx);
        if (count >= deps.maxSubscriptionsPerOrg) {
          throw new ConflictProblem(
            `organization ${principal.org} already has ${count} webhook subscriptions (the limit); delete one first`,
          );
        }
        await deps.webhooks.insertSubscription(subscription, trx);
        const { sealedSecret: _secret, ...visible } = subscription;
        await audit(
          principal,
          requestId,
          'webhook_subscription.create',
          subscription,
          null,
          subscriptionView({ ...visible, sealedSecret: '' }),
          trx,
        );
      });
      return { subscription, secret };
    },

    async list(
      principal: Principal,
      filter: { ownerOrg?: string | undefined },
      limit: number,
    ): Promise<Subscription[]> {
      // Asking for another organization's subscriptions finds none, as if it had none.
      if (filter.ownerOrg !== undefined && filter.ownerOrg !== principal.org) return [];
      return deps.webhooks.listSubscriptions({ ownerOrg: principal.org }, limit);
    },

    async remove(principal: Principal, id: string, requestId: string): Promise<void> {
      const subscription = await visibleSubscription(id, principal);
      await deps.runInTransaction(async ({ trx }) => {
        const at = deps.now();
        await deps.webhooks.updateSubscription(id, { status: 'deleted' }, at, trx);
        const cancelled = await deps.webhooks.cancelPending(id, 'subscription deleted', trx);
        await audit(
          principal,
          requestId,
          'webhook_subscription.delete',
          subscription,
          { status: subscription.status },
          { status: 'deleted', cancelledDeliveries: cancelled },
          trx,
        );
      });
    },

    async enable(principal: Principal, id: string, requestId: string): Promise<Subscription> {
      const subscription = await visibleSubscription(id, principal);
      if (subscription.status === 'active') return subscription;
      await deps.runInTransaction(async ({ trx }) => {
        const at = deps.now();
        await deps.webhooks.updateSubscription(
          id,
          { status: 'active', disabledReason: null, disabledAt: null, failingSince: null },
          at,
          trx,
        );
        await audit(
          principal,
          requestId,
          'webhook_subscription.enable',
          subscription,
          { status: subscription.status, disabledReason: subscription.disabledReason },
          { status: 'active' },
          trx,
        );
      });
      return (await deps.webhooks.subscription(id))!;
    },

    async deliveries(
      principal: Principal,
      filter: { subscriptionId: string; status?: DeliveryStatus | undefined; beforeId?: number | undefined },
      limit: number,
    ) {
      await visibleSubscription(filter.subscriptionId, principal);
      const deliveries = await deps.webhooks.listDeliveries(
        {
          subscriptionId: filter.subscriptionId,
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.beforeId ? { beforeId: filter.beforeId } : {}),
        },
        limit,
      );
      const attempts = await deps.webhooks.attemptsOf(deliveries.map((delivery) => delivery.id));
      return deliveries.map((delivery) =>
        deliveryView(
          delivery,
          attempts.filter((attempt) => attempt.deliveryId === delivery.id),
        ),
      );
    },

    async delivery(principal: Principal, id: number) {
      const delivery = await deps.webhooks.delivery(id);
      if (delivery) {
        const subscription = await deps.webhooks.subscription(delivery.subscriptionId);
        if (subscription && subscription.ownerOrg === principal.org) {
          return deliveryView(delivery, await deps.webhooks.attemptsOf([id]));
        }
      }
      throw new NotFoundProblem(`no webhook delivery ${id}`, [{ field: 'path:id', message: 'no such delivery' }]);
    },

    /** Sends a delivery again now, with the same webhook-id (receivers deduplicate on it), logged as a manual attempt. */
    async redeliver(principal: Principal, id: number, requestId: string) {
      const existing = await this.delivery(principal, id);
      const subscription = await visibleSubscription(existing.subscriptionId, principal);
      if (subscription.status !== 'active') {
        throw new ConflictProblem(
          `subscription ${subscription.id} is ${subscription.status}; enable it before redelivering`,
          { subscriptionStatus: subscription.status },
        );
      }
      const delivery = await deps.runInTransaction(async (uow) => {
        const at = deps.now();
        const updated = await deps.webhooks.requestRedelivery(id, at, deps.maxAttempts, uow.trx);
        await deps.audit.record(
          {
            at,
            actor: actorOf(principal),
            action: 'webhook_delivery.redeliver',
            targetType: 'webhook_delivery',
            targetId: String(id),
            org: subscription.ownerOrg,
            before: { status: existing.status, attempts: existing.attempts },
            after: { status: 'pending' },
            comment: null,
            requestId,
          },
          uow.trx,
        );
        uow.afterCommit(() => deps.scheduler.enqueue([{ id, attempts: updated.attempts, manual: true }]));
        return updated;
      });
      return deliveryView(delivery, await deps.webhooks.attemptsOf([id]));
    },

    async notifications(principal: Principal, limit: number) {
      return deps.webhooks.notifications({ org: principal.org }, limit);
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
