import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';

export type SubscriptionStatus = 'active' | 'disabled' | 'deleted';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

interface WebhooksDatabase {
  webhook_subscriptions: {
    id: string;
    owner_org: string;
    created_by: string;
    url: string;
    description: string | null;
    sealed_secret: string;
    filter_org: string | null;
    filter_toe: string | null;
    event_types: string[] | null;
    status: SubscriptionStatus;
    disabled_reason: string | null;
    disabled_at: Date | null;
    failing_since: Date | null;
    last_success_at: Date | null;
    created_at: Date;
    updated_at: Date;
  };
  webhook_deliveries: {
    id?: number;
    message_id: string;
    subscription_id: string;
    event_type: string;
    certificate_id: string | null;
    certificate_event_id: number | null;
    payload: string;
    status: DeliveryStatus;
    attempts: number;
    max_attempts: number;
    next_attempt_at: Date | null;
    manual_pending: boolean;
    leased_until: Date | null;
    last_error: string | null;
    last_response_status: number | null;
    created_at: Date;
    delivered_at: Date | null;
  };
  webhook_delivery_attempts: {
    id?: number;
    delivery_id: number;
    attempt: number;
    trigger: 'automatic' | 'manual';
    started_at: Date;
    duration_ms: number;
    outcome: 'succeeded' | 'failed';
    response_status: number | null;
    response_body: string | null;
    error: string | null;
  };
  notifications: {
    id?: number;
    org: string;
    recipient: string | null;
    kind: string;
    subject_type: string;
    subject_id: string;
    message: string;
    created_at: Date;
  };
}

export interface Subscription {
  id: string;
  ownerOrg: string;
  createdBy: string;
  url: string;
  description: string | null;
  sealedSecret: string;
  filterOrg: string | null;
  filterToe: string | null;
  eventTypes: string[] | null;
  status: SubscriptionStatus;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Delivery {
  id: number;
  messageId: string;
  subscriptionId: string;
  eventType: string;
  certificateId: string | null;
  certificateEventId: number | null;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date | null;
  manualPending: boolean;
  lastError: string | null;
  lastResponseStatus: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface DeliveryAttempt {
  id: number;
  deliveryId: number;
  attempt: number;
  trigger: 'automatic' | 'manual';
  startedAt: Date;
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

const toSubscription = (row: Selectable<WebhooksDatabase['webhook_subscriptions']>): Subscription => ({
  id: row.id,
  ownerOrg: row.owner_org,
  createdBy: row.created_by,
  url: row.url,
  description: row.description,
  sealedSecret: row.sealed_secret,
  filterOrg: row.filter_org,
  filterToe: row.filter_toe,
  eventTypes: row.event_types,
  status: row.status,
  disabledReason: row.disabled_reason,
  disabledAt: row.disabled_at,
  failingSince: row.failing_since,
  lastSuccessAt: row.last_success_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toDelivery = (row: Selectable<WebhooksDatabase['webhook_deliveries']>): Delivery => ({
  id: Number(row.id),
  messageId: row.message_id,
  subscriptionId: row.subscription_id,
  eventType: row.event_type,
  certificateId: row.certificate_id,
  certificateEventId: row.certificate_event_id === null ? null : Number(row.certificate_event_id),
  payload: row.payload,
  status: row.status,
  attempts: row.attempts,
  maxAttempts: row.max_attempts,
  nextAttemptAt: row.next_attempt_at,
  manualPending: row.manual_pending,
  lastError: row.last_error,
  lastResponseStatus: row.last_response_status,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

const toAttempt = (row: Selectable<WebhooksDatabase['webhook_delivery_attempts']>): DeliveryAttempt => ({
  id: Number(row.id),
  deliveryId: Number(row.delivery_id),
  attempt: row.attempt,
  trigger: row.trigger,
  startedAt: row.started_at,
  durationMs: row.duration_ms,
  outcome: row.outcome,
  responseStatus: row.response_status,
  responseBody: row.response_body,
  error: row.error,
});

/** Subscriptions, the delivery outbox and its attempt log, and the notifications to subscription owners. */
export function createWebhooksRepository(database: Kysely<any>) {
  const db = database as Kysely<WebhooksDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<WebhooksDatabase> | undefined) ?? db;

  return {
    async insertSubscription(subscription: Subscription, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('webhook_subscriptions')
        .values({
          id: subscription.id,
          owner_org: subscription.ownerOrg,
          created_by: subscription.createdBy,
          url: subscription.url,
          description: subscription.description,
          sealed_secret: subscription.sealedSecret,
          filter_org: subscription.filterOrg,
          filter_toe: subscription.filterToe,
          event_types: subscription.eventTypes === null ? null : (JSON.stringify(subscription.eventTypes) as never),
          status: subscription.status,
          disabled_reason: null,
          disabled_at: null,
          failing_since: null,
          last_success_at: null,
          created_at: subscription.createdAt,
          updated_at: subscription.updatedAt,
        })
        .execute();
    },

    async subscription(id: string, trx?: Transaction<any>): Promise<Subscription | undefined> {
      const row = await on(trx)
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', id)
        .where('status', '<>', 'deleted')
        .executeTakeFirst();
      return row ? toSubscription(row) : undefined;
    },

    async subscriptionForUpdate(id: string, trx: Transaction<any>): Promise<Subscription | undefined> {
      const row = await on(trx)
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return row ? toSubscription(row) : undefined;
    },

    async listSubscriptions(filter: { ownerOrg: string }, limit: number): Promise<Subscription[]> {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('status', '<>', 'deleted')
        .where('owner_org', '=', filter.ownerOrg)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toSubscription);
    },

    /** Counts under a per-organization lock held until the transaction ends, so concurrent creates cannot pass the limit. */
    async countSubscriptions(ownerOrg: string, trx: Transaction<any>): Promise<number> {
      await sql`select pg_advisory_xact_lock(hashtext(${`cabc:webhook-subscriptions:${ownerOrg}`}))`.execute(trx);
      const row = await on(trx)
        .selectFrom('webhook_subscriptions')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('owner_org', '=', ownerOrg)
        .where('status', '<>', 'deleted')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    /**
     * Active subscriptions of `org` itself that want this event about one of its certificates. The owner check also
     * keeps subscriptions made before every token was scoped to one organization (`filter_org` null) to their owner's.
     */
    async matchingSubscriptions(
      event: { org: string; toe: string; type: string },
      trx: Transaction<any>,
    ): Promise<Subscription[]> {
      const rows = await on(trx)
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('status', '=', 'active')
        .where('owner_org', '=', event.org)
        .where((eb) => eb.or([eb('filter_org', 'is', null), eb('filter_org', '=', event.org)]))
        .where((eb) => eb.or([eb('filter_toe', 'is', null), eb('filter_toe', '=', event.toe)]))
        .where((eb) =>
          eb.or([eb('event_types', 'is', null), sql<boolean>`event_types @> ${JSON.stringify([event.type])}::jsonb`]),
        )
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    },

    async updateSubscription(
      id: string,
      change: Partial<
        Pick<Subscription, 'status' | 'disabledReason' | 'disabledAt' | 'failingSince' | 'lastSuccessAt'>
      >,
      at: Date,
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .updateTable('webhook_subscriptions')
        .set({
          ...(change.status !== undefined ? { status: change.status } : {}),
          ...(change.disabledReason !== undefined ? { disabled_reason: change.disabledReason } : {}),
          ...(change.disabledAt !== undefined ? { disabled_at: change.disabledAt } : {}),
          ...(change.failingSince !== undefined ? { failing_since: change.failingSince } : {}),
          ...(change.lastSuccessAt !== undefined ? { last_success_at: change.lastSuccessAt } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
    },

    async insertDelivery(
      delivery: Omit<
        Delivery,
        'id' | 'attempts' | 'manualPending' | 'lastError' | 'lastResponseStatus' | 'deliveredAt'
      >,
      trx: Transaction<any>,
    ): Promise<number> {
      const row = await on(trx)
        .insertInto('webhook_deliveries')
        .values({
          message_id: delivery.messageId,
          subscription_id: delivery.subscriptionId,
          event_type: delivery.eventType,
          certificate_id: delivery.certificateId,
          certificate_event_id: delivery.certificateEventId,
          payload: delivery.payload,
          status: delivery.status,
          attempts: 0,
          max_attempts: delivery.maxAttempts,
          next_attempt_at: delivery.nextAttemptAt,
          manual_pending: false,
          leased_until: null,
          last_error: null,
          last_response_status: null,
          created_at: delivery.createdAt,
          delivered_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },

    async delivery(id: number, trx?: Transaction<any>): Promise<Delivery | undefined> {
      const row = await on(trx).selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDelivery(row) : undefined;
    },

    /**
     * Takes the next attempt of a due delivery: counts it and leases the row for `leaseMs` of database time, so a
     * duplicate job (or another replica) finds nothing to do while the attempt is in flight, and a crash mid-attempt
     * is retried once the lease ran out. The lease is real time on purpose: the business clock may jump.
     */
    async claim(id: number, at: Date, leaseMs: number): Promise<Delivery | undefined> {
      const row = await db
        .updateTable('webhook_deliveries')
        .set({ attempts: sql`attempts + 1`, leased_until: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
        .returningAll()
        .executeTakeFirst();
      return row ? toDelivery(row) : undefined;
    },

    async settleDelivery(
      id: number,
      change: {
        status: DeliveryStatus;
        nextAttemptAt: Date | null;
        lastError: string | null;
        lastResponseStatus: number | null;
        deliveredAt?: Date;
      },
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .updateTable('webhook_deliveries')
        .set({
          status: change.status,
          next_attempt_at: change.nextAttemptAt,
          last_error: change.lastError,
          last_response_status: change.lastResponseStatus,
          manual_pending: false,
          leased_until: null,
          ...(change.deliveredAt ? { delivered_at: change.deliveredAt } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    /** Schedules one more attempt now (manual redelivery): a settled delivery gets a fresh round of retries. */
    async requestRedelivery(id: number, at: Date, extraAttempts: number, trx: Transaction<any>): Promise<Delivery> {
      const row = await on(trx)
        .updateTable('webhook_deliveries')
        .set({
          status: 'pending',
          next_attempt_at: at,
          manual_pending: true,
          max_attempts: sql`greatest(max_attempts, attempts + ${extraAttempts})`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toDelivery(row);
    },

    async cancelPending(subscriptionId: string, reason: string, trx: Transaction<any>): Promise<number> {
      const result = await on(trx)
        .updateTable('webhook_deliveries')
        .set({ status: 'cancelled', next_attempt_at: null, last_error: reason })
        .where('subscription_id', '=', subscriptionId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async recordAttempt(attempt: Omit<DeliveryAttempt, 'id'>, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('webhook_delivery_attempts')
        .values({
          delivery_id: attempt.deliveryId,
          attempt: attempt.attempt,
          trigger: attempt.trigger,
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          outcome: attempt.outcome,
          response_status: attempt.responseStatus,
          response_body: attempt.responseBody,
          error: attempt.error,
        })
        .execute();
    },

    /** Pending deliveries whose next attempt is due: what the reconciler hands to the queue. */
    async dueDeliveries(at: Date, limit: number): Promise<{ id: number; attempts: number }[]> {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['id', 'attempts'])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ id: Number(row.id), attempts: row.attempts }));
    },

    async listDeliveries(
      filter: { subscriptionId: string; status?: DeliveryStatus; beforeId?: number },
      limit: number,
    ): Promise<Delivery[]> {
      let query = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', filter.subscriptionId);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },

    async attemptsOf(deliveryIds: number[]): Promise<DeliveryAttempt[]> {
      if (deliveryIds.length === 0) return [];
      const rows = await db
        .selectFrom('webhook_delivery_attempts')
        .selectAll()
        .where('delivery_id', 'in', deliveryIds)
        .orderBy('id')
        .execute();
      return rows.map(toAttempt);
    },

    async notify(
      notification: {
        org: string;
        recipient: string | null;
        kind: string;
        subjectType: string;
        subjectId: string;
        message: string;
        at: Date;
      },
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .insertInto('notifications')
        .values({
          org: notification.org,
          recipient: notification.recipient,
          kind: notification.kind,
          subject_type: notification.subjectType,
          subject_id: notification.subjectId,
          message: notification.message,
          created_at: notification.at,
        })
        .execute();
    },

    async notifications(filter: { org: string }, limit: number) {
      const rows = await db
        .selectFrom('notifications')
        .selectAll()
        .where('org', '=', filter.org)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: Number(row.id),
        org: row.org,
        recipient: row.recipient,
        kind: row.kind,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        message: row.message,
        createdAt: row.created_at,
      }));
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
