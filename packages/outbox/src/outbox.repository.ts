import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';

export interface OutboxDatabase {
  outbox: {
    id: Generated<number>;
    topic: string;
    ordering_key: string;
    destination: string;
    content_type: string;
    body: string;
    status: 'pending' | 'delivered' | 'rejected';
    attempts: Generated<number>;
    last_error: string | null;
    response_status: number | null;
    response_body: string | null;
    created_at: Generated<Date>;
    delivered_at: Date | null;
  };
}

export interface OutboxMessage {
  id: number;
  topic: string;
  orderingKey: string;
  destination: string;
  contentType: string;
  body: string;
  status: 'pending' | 'delivered' | 'rejected';
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  responseBody: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
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
        last_error: `rejected by the receiver with HTTP ${response.status}`,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async recordFailedAttempt(id: number, error: string): Promise<void> {
    await this.#db
      .updateTable('outbox')
      .set({ attempts: sql`attempts + 1`, last_error: error.slice(0, 2000) })
      .where('id', '=', id)
      .execute();
  }

  /** Pending messages, oldest first, created before `olderThan` (so fresh ones are left to their first job). */
  async pendingIds(olderThan: Date, limit: number): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('created_at', '<', olderThan)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
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

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.#db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
