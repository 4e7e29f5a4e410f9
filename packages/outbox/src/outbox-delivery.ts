import type { Logger } from 'pino';
import type { OutboxDeliveryMetrics } from './outbox-metrics.ts';
import type { OutboxMessage, OutboxRepository } from './outbox.repository.ts';

export type DeliveryOutcome = 'delivered' | 'rejected' | 'already_done' | 'missing' | 'blocked';

/**
 * Receiver answers that retrying can never fix; anything else (5xx, 403, 408, 425, 429, network) is retried. 403 is
 * retried on purpose: a signing key the auditor has not approved yet (a collector key rotation) becomes acceptable
 * once the new scope version is approved, and the evidence must then still arrive.
 */
const permanentStatuses = new Set([400, 401, 404, 405, 410, 413, 415, 422]);

class RetryableDeliveryError extends Error {
  override name = 'RetryableDeliveryError';
}

/**
 * Builds the job processor that sends one outbox row over HTTP. A thrown error makes BullMQ retry with backoff;
 * 2xx (and 409, "already have it") acknowledges the row; a permanent 4xx marks it rejected for an operator to see.
 * Rows with the same ordering key go one at a time, oldest first: a row behind a pending one ends its job at once
 * and is sent when the one ahead of it settles (`kickNext`), so only the head of a key ever waits in backoff.
 */
export function createOutboxProcessor(deps: {
  outbox: OutboxRepository;
  logger: Logger;
  kickNext: (outboxId: number) => Promise<void>;
  timeoutMs?: number;
  headers?: (message: { id: number; topic: string }) => Record<string, string>;
  metrics?: OutboxDeliveryMetrics | undefined;
}) {
  const settled = async (message: OutboxMessage) => {
    const next = await deps.outbox.nextPendingAfter(message);
    if (next !== undefined) await deps.kickNext(next);
  };
  return async ({ outboxId }: { outboxId: number }): Promise<DeliveryOutcome> => {
    const message = await deps.outbox.find(outboxId);
    if (!message) return 'missing';
    if (message.status !== 'pending') return 'already_done';
    if (await deps.outbox.hasEarlierPending(message)) return 'blocked';
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
      deps.metrics?.attempted(message, 'retry');
      deps.logger.warn({ outboxId, destination: message.destination, reason }, 'outbox delivery failed, will retry');
      throw new RetryableDeliveryError(reason);
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
    await deps.outbox.recordFailedAttempt(message.id, `HTTP ${response.status}: ${body.slice(0, 500)}`);
    deps.metrics?.attempted(message, 'retry');
    throw new RetryableDeliveryError(`receiver answered HTTP ${response.status}`);
  };
}
