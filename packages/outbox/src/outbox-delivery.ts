import { inSpan, SpanKind, traceHeaders } from '@cabc/service-kit';
import type { Logger } from 'pino';
import type { OutboxDeliveryMetrics } from './outbox-metrics.ts';
import type { OutboxMessage, OutboxRepository } from './outbox.repository.ts';

export type DeliveryOutcome = 'delivered' | 'rejected' | 'dead_letter' | 'already_done' | 'missing' | 'blocked';

/**
 * Receiver answers that retrying can never fix; anything else (5xx, 401, 403, 408, 425, 429, network) is retried
 * within the retry schedule, then dead-lettered. 403 is retried on purpose: a signing key the auditor has not approved
 * yet (a collector key rotation) becomes acceptable once the new scope version is approved. 401 too: a signature
 * made at send time that arrived too late (outside the receiver's freshness window) is signed anew on the next try.
 */
const permanentStatuses = new Set([400, 404, 405, 410, 413, 415, 422]);

/** What the delivery sends for one row: computed at each attempt by the producer's `prepare`. */
export type OutboxPrepare = (message: OutboxMessage) => Promise<{ body: string; contentType: string }>;

class RetryableDeliveryError extends Error {
  override name = 'RetryableDeliveryError';
}

/**
 * Builds the job processor that sends one outbox row over HTTP. A thrown error makes BullMQ retry with backoff;
 * 2xx (and 409, "already have it") acknowledges the row; a permanent 4xx marks it rejected for an operator to see;
 * `maxAttempts` failed attempts (counted in Postgres, so across Redis losses and restarts) make it a dead letter.
 * Rows with the same ordering key go one at a time, oldest first: a row behind a pending one ends its job at once
 * and is sent when the one ahead of it settles (`kickNext`), so only the head of a key ever waits in backoff.
 */
export function createOutboxProcessor(deps: {
  outbox: OutboxRepository;
  logger: Logger;
  kickNext: (outboxId: number) => Promise<void>;
  /** Failed attempts after which a message becomes a dead letter and its key's later messages go on. */
  maxAttempts: number;
  timeoutMs?: number;
  headers?: (message: { id: number; topic: string }) => Record<string, string>;
  metrics?: OutboxDeliveryMetrics | undefined;
  /**
   * Turns a stored row into what is sent, at each attempt (e.g. signs stored claims with a fresh `iat`, so that a
   * retry is never refused as stale). Absent: the stored body is sent as it is.
   */
  prepare?: OutboxPrepare;
}) {
  const settled = async (message: OutboxMessage) => {
    const next = await deps.outbox.nextPendingAfter(message);
    if (next !== undefined) await deps.kickNext(next);
  };
  /** A failed attempt: retried (the thrown error makes BullMQ back off) until the schedule runs out. */
  const failed = async (message: OutboxMessage, reason: string): Promise<DeliveryOutcome> => {
    const attempts = await deps.outbox.recordFailedAttempt(message.id, reason);
    if (attempts < deps.maxAttempts) {
      deps.metrics?.attempted(message, 'retry');
      throw new RetryableDeliveryError(reason);
    }
    deps.metrics?.attempted(message, 'dead_letter');
    await deps.outbox.markDeadLetter(message.id, `gave up after ${attempts} attempts; last: ${reason}`);
    deps.logger.error(
      { outboxId: message.id, topic: message.topic, orderingKey: message.orderingKey, attempts, reason },
      'outbox message dead-lettered: its retry schedule ran out',
    );
    await settled(message);
    return 'dead_letter';
  };
  const deliver = async (message: OutboxMessage): Promise<DeliveryOutcome> => {
    const outboxId = message.id;
    if (message.status !== 'pending') return 'already_done';
    if (message.attempts >= deps.maxAttempts) {
      // The schedule ran out before a crash or a lowered DELIVERY_MAX_ATTEMPTS: settle it without another try.
      await deps.outbox.markDeadLetter(
        message.id,
        `gave up after ${message.attempts} attempts; last: ${message.lastError}`,
      );
      await settled(message);
      return 'dead_letter';
    }
    if (await deps.outbox.hasEarlierPending(message)) return 'blocked';
    let response: Response;
    try {
      const sent = deps.prepare ? await deps.prepare(message) : message;
      response = await fetch(message.destination, {
        method: 'POST',
        headers: {
          'content-type': sent.contentType,
          'idempotency-key': `outbox-${message.id}`,
          ...deps.headers?.(message),
          ...traceHeaders(),
        },
        body: sent.body,
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.logger.warn({ outboxId, destination: message.destination, reason }, 'outbox delivery failed, will retry');
      return failed(message, reason);
    }
    const body = (await response.text()).slice(0, 65_536);
    if (response.ok || response.status === 409) {
      await deps.outbox.markDelivered(message.id, { status: response.status, body });
      deps.metrics?.attempted(message, 'delivered');
      deps.logger.debug({ outboxId, status: response.status }, 'outbox message delivered');
      await settled(message);
      return 'delivered';
    }
    if (permanentStatuses.has(response.status)) {
      await deps.outbox.markRejected(message.id, { status: response.status, body });
      deps.metrics?.attempted(message, 'rejected');
      deps.logger.error({ outboxId, status: response.status, body }, 'outbox message rejected by the receiver');
      await settled(message);
      return 'rejected';
    }
    return failed(message, `HTTP ${response.status}: ${body.slice(0, 500)}`);
  };
  return async ({ outboxId }: { outboxId: number }): Promise<DeliveryOutcome> => {
    const message = await deps.outbox.find(outboxId);
    if (!message) return 'missing';
    // The delivery continues the trace of the request or job that wrote the row, however late it is sent.
    const attributes = { 'cabc.outbox.id': message.id, 'cabc.outbox.topic': message.topic };
    return inSpan(
      `outbox deliver ${message.topic}`,
      { kind: SpanKind.CLIENT, parent: message.traceContext, attributes },
      () => deliver(message),
    );
  };
}
