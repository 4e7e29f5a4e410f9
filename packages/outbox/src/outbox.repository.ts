import { activeTraceparent } from '@cabc/service-kit';
import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';


/**
 * Why the receiver refused, as the sender's users read it: the status and, from a problem+json answer, its detail
 * (e.g. which subject the auditor refused), so a pipeline learns what to fix without the receiver's logs.
 */
function rejectionOf(response: { status: number; body: string }): string {
  const base = `rejected by the receiver with HTTP ${response.status}`;
  try {
    const problem = JSON.parse(response.body) as { detail?: unknown };
    return typeof problem.detail === 'string' && problem.detail ? `${base}: ${problem.detail.slice(0, 500)}` : base;
  } catch {
    return base;
  }
}

export interface OutboxDatabase {
  outbox: {
    id: Generated<number>;
    topic: string;
    ordering_key: string;
    destination: string;
    content_type: string;
    body: string;
    status: OutboxStatus;
    attempts: Generated<number>;
    last_error: string | null;
    response_status: number | null;
    response_body: string | null;
    created_at: Generated<Date>;
    delivered_at: Date | null;
    dead_lettered_at: Date | null;
    /** The W3C `traceparent` of the span that wrote the row; its delivery continues that trace. */
    trace_context: string | null;
  };
}

/**
 * `rejected`: the receiver refused it for good (a permanent 4xx); `dead_letter`: the retry schedule ran out. Both are
 * settled (later messages of the key go on) and both can be handed back to delivery by an operator.
 */
export type OutboxStatus = 'pending' | 'delivered' | 'rejected' | 'dead_letter';
export const undeliveredStatuses = ['rejected', 'dead_letter'] as const;

export interface OutboxMessage {
  id: number;
  topic: string;
  orderingKey: string;
  destination: string;
  contentType: string;
  body: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  responseBody: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  deadLetteredAt: Date | null;
  traceContext: string | null;
}

/** The head of one ordering key's queue: its oldest pending message. */
export interface PendingHead {
  id: number;
  topic: string;
  orderingKey: string;
}

/** A dead letter or rejected message as operators see it (without its body). */
export interface UndeliveredMessage {
  id: number;
  topic: string;
  orderingKey: string;
  destination: string;
  status: (typeof undeliveredStatuses)[number];
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  createdAt: Date;
  deadLetteredAt: Date | null;
}

export interface NewOutboxMessage {
  topic: string;
  orderingKey: string;
  destination: string;
  contentType: string;
  body: string;
}

type Executor = Kysely<OutboxDatabase> | Transaction<OutboxDatabase>;

function toMessage(row: Selectable<OutboxDatabase['outbox']>): OutboxMessage {
  return {
    id: row.id,
    topic: row.topic,
    orderingKey: row.ordering_key,
    destination: row.destination,
    contentType: row.content_type,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    deadLetteredAt: row.dead_lettered_at,
    traceContext: row.trace_context,
  };
}

/** The transactional outbox: rows are written in the caller's transaction and delivered after it commits. */
export class OutboxRepository {
  readonly #db: Kysely<OutboxDatabase>;

  constructor(db: Kysely<any>) {
    this.#db = db as Kysely<OutboxDatabase>;
  }

  async add(message: NewOutboxMessage, trx?: Transaction<any>): Promise<number> {
    const executor: Executor = (trx as Transaction<OutboxDatabase> | undefined) ?? this.#db;
    const row = await executor
      .insertInto('outbox')
      .values({
        topic: message.topic,
        ordering_key: message.orderingKey,
        destination: message.destination,
        content_type: message.contentType,
        body: message.body,
        status: 'pending',
        trace_context: activeTraceparent() ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async find(id: number): Promise<OutboxMessage | undefined> {
    const row = await this.#db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMessage(row) : undefined;
  }

  /** True when an older message with the same ordering key is still waiting: order per key is kept. */
  async hasEarlierPending(message: OutboxMessage): Promise<boolean> {
    const row = await this.#db
      .selectFrom('outbox')
      .select('id')
      .where('ordering_key', '=', message.orderingKey)
      .where('topic', '=', message.topic)
      .where('status', '=', 'pending')
      .where('id', '<', message.id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The oldest pending message with the same key, to be sent once `message` is settled. */
  async nextPendingAfter(message: OutboxMessage): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('outbox')
      .select('id')
      .where('ordering_key', '=', message.orderingKey)
      .where('topic', '=', message.topic)
      .where('status', '=', 'pending')
      .where('id', '>', message.id)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  async markDelivered(id: number, response: { status: number; body: string }): Promise<void> {
    await this.#db
      .updateTable('outbox')
      .set({
        status: 'delivered',
        delivered_at: new Date(),
        attempts: sql`attempts + 1`,
        response_status: response.status,
        response_body: response.body,
        last_error: null,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async markRejected(id: number, response: { status: number; body: string }): Promise<void> {
    await this.#db
      .updateTable('outbox')
      .set({
        status: 'rejected',
        attempts: sql`attempts + 1`,
        response_status: response.status,
        response_body: response.body,
        last_error: rejectionOf(response),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Counts a failed attempt; answers the message's attempts so far. */
  async recordFailedAttempt(id: number, error: string): Promise<number> {
    const row = await this.#db
      .updateTable('outbox')
      .set({ attempts: sql`attempts + 1`, last_error: error.slice(0, 2000) })
      .where('id', '=', id)
      .returning('attempts')
      .executeTakeFirst();
    return row?.attempts ?? 0;
  }

  /** The retry schedule ran out: the message is settled as a dead letter, for an operator to see and redeliver. */
  async markDeadLetter(id: number, reason: string): Promise<void> {
    await this.#db
      .updateTable('outbox')
      .set({ status: 'dead_letter', dead_lettered_at: new Date(), last_error: reason.slice(0, 2000) })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /**
   * The head (oldest pending message) of each ordering key created before `olderThan`, at most `limit` keys, in key
   * order after `afterKey`: messages behind a head wait for it anyway, and a caller that walks on from the last key
   * it got (wrapping round) reaches every key in turn, however many messages one of them holds.
   */
  async pendingHeads(
    olderThan: Date,
    limit: number,
    afterKey?: { topic: string; orderingKey: string },
  ): Promise<PendingHead[]> {
    let query = this.#db
      .selectFrom('outbox')
      .select(['id', 'topic', 'ordering_key'])
      .distinctOn(['topic', 'ordering_key'])
      .where('status', '=', 'pending')
      .where('created_at', '<', olderThan);
    if (afterKey) {
      query = query.where((eb) =>
        eb(eb.refTuple('topic', 'ordering_key'), '>', eb.tuple(afterKey.topic, afterKey.orderingKey)),
      );
    }
    const rows = await query.orderBy('topic').orderBy('ordering_key').orderBy('id').limit(limit).execute();
    return rows.map((row) => ({ id: row.id, topic: row.topic, orderingKey: row.ordering_key }));
  }

  /** Dead letters and rejected messages, newest first (before `beforeId` when paging), without their bodies. */
  async undelivered(options: {
    limit: number;
    beforeId?: number | undefined;
    /** Only messages with one of these ordering keys (what the caller may see); all when absent. */
    orderingKeys?: string[] | undefined;
  }): Promise<UndeliveredMessage[]> {
    let query = this.#db
      .selectFrom('outbox')
      .select([
        'id',
        'topic',
        'ordering_key',
        'destination',
        'status',
        'attempts',
        'last_error',
        'response_status',
        'created_at',
        'dead_lettered_at',
      ])
      .where('status', 'in', [...undeliveredStatuses]);
    if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
    // '' is no ordering key: it keeps the list non-empty for SQL when the caller may see no key at all.
    if (options.orderingKeys) query = query.where('ordering_key', 'in', ['', ...options.orderingKeys]);
    const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      orderingKey: row.ordering_key,
      destination: row.destination,
      status: row.status === 'rejected' ? 'rejected' : 'dead_letter',
      attempts: row.attempts,
      lastError: row.last_error,
      responseStatus: row.response_status,
      createdAt: row.created_at,
      deadLetteredAt: row.dead_lettered_at,
    }));
  }

  /**
   * Hands dead letters and rejected messages back to delivery with a fresh retry schedule: the given ids, or every
   * one when `ids` is absent. Answers the ids that went back to pending, oldest first.
   */
  async redeliver(ids?: number[], orderingKeys?: string[]): Promise<number[]> {
    if (ids && ids.length === 0) return [];
    let query = this.#db
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, dead_lettered_at: null, response_status: null, response_body: null })
      .where('status', 'in', [...undeliveredStatuses]);
    if (ids) query = query.where('id', 'in', ids);
    if (orderingKeys) query = query.where('ordering_key', 'in', ['', ...orderingKeys]);
    const rows = await query.returning('id').execute();
    return rows.map((row) => row.id).sort((a, b) => a - b);
  }

  /** How many messages are dead letters or rejected (the operators' metric). */
  async countUndelivered(): Promise<Record<(typeof undeliveredStatuses)[number], number>> {
    const counts = await this.countByStatus();
    return { rejected: counts.rejected ?? 0, dead_letter: counts.dead_letter ?? 0 };
  }

  /** Per topic: how many rows are pending and when the oldest of them was written (the delivery backlog). */
  async pendingByTopic(): Promise<{ topic: string; pending: number; oldest: Date }[]> {
    const rows = await this.#db
      .selectFrom('outbox')
      .select(['topic', (eb) => eb.fn.countAll<number>().as('pending'), (eb) => eb.fn.min('created_at').as('oldest')])
      .where('status', '=', 'pending')
      .groupBy('topic')
      .execute();
    return rows.map((row) => ({ topic: row.topic, pending: Number(row.pending), oldest: new Date(row.oldest) }));
  }

  /** Messages per status; with `orderingKeys`, of those keys only. */
  async countByStatus(orderingKeys?: string[]): Promise<Record<string, number>> {
    let query = this.#db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('count')]);
    if (orderingKeys) query = query.where('ordering_key', 'in', ['', ...orderingKeys]);
    const rows = await query.groupBy('status').execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
