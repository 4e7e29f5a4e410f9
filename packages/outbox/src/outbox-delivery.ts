import type { Logger } from 'pino';
import type { OutboxRepository } from './outbox.repository.ts';

export type DeliveryOutcome = 'delivered' | 'rejected' | 'already_done' | 'missing';

/** Receiver answers that retrying can never fix; anything else (5xx, 408, 425, 429, network) is retried. */
const permanentStatuses = new Set([400, 401, 403, 404, 405, 410, 413, 415, 422]);

class RetryableDeliveryError extends Error {
  override name = 'RetryableDeliveryError';
}

/**
 * Builds the job processor that sends one outbox row over HTTP. A thrown error makes BullMQ retry with backoff;
 * 2xx (and 409, "already have it") acknowledges the row; a permanent 4xx marks it rejected for an operator to see.
 */
export function createOutboxProcessor(deps: {
  outbox: OutboxRepository;
  logger: Logger;
  timeoutMs?: number;
  headers?: (message: { id: number; topic: string }) => Record<string, string>;
}) {
  return async ({ outboxId }: { outboxId: number }): Promise<DeliveryOutcome> => {
    const message = await deps.outbox.find(outboxId);
    if (!message) return 'missing';
    if (message.status !== 'pending') return 'already_done';
    if (await deps.outbox.hasEarlierPending(message)) {
      throw new RetryableDeliveryError(`waiting for an earlier message with key ${message.orderingKey}`);
    }
    let response: Response;
    try {
      response = await fetch(message.destination, {
        method: 'POST',
        headers: {
          'content-type': message.contentType,
          'idempotency-key': `outbox-${message.id}`,
          ...deps.headers?.(message),
        },
        body: message.body,
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await deps.outbox.recordFailedAttempt(message.id, reason);
      deps.logger.warn({ outboxId, destination: message.destination, reason }, 'outbox delivery failed, will retry');
      throw new RetryableDeliveryError(reason);
    }
    const body = (await response.text()).slice(0, 65_536);
    if (response.ok || response.status === 409) {
      await deps.outbox.markDelivered(message.id, { status: response.status, body });
      deps.logger.debug({ outboxId, status: response.status }, 'outbox message delivered');
      return 'delivered';
    }
    if (permanentStatuses.has(response.status)) {
      await deps.outbox.markRejected(message.id, { status: response.status, body });
      deps.logger.error({ outboxId, status: response.status, body }, 'outbox message rejected by the receiver');
      return 'rejected';
    }
    await deps.outbox.recordFailedAttempt(message.id, `HTTP ${response.status}: ${body.slice(0, 500)}`);
    throw new RetryableDeliveryError(`receiver answered HTTP ${response.status}`);
  };
}
