import type { Logger } from 'pino';
import { startReconciler } from '@cabc/outbox';
import { startWorker, TypedQueue, type QueueContext, type QueueMetrics } from '@cabc/service-kit';
import type { DeliveryScheduler, WebhookDelivery } from '../modules/webhooks/webhook-delivery.ts';
import type { WebhooksRepository } from '../modules/webhooks/webhooks.repository.ts';

/** Enqueues one job per delivery attempt; the job id makes a second enqueue of the same attempt a no-op. */
export function createDeliveryScheduler(
  context: QueueContext,
  logger: Logger,
): DeliveryScheduler & { close: () => Promise<void> } {
  const queue = new TypedQueue('certification.webhooks', context);
  return {
    enqueue: async (items) => {
      if (items.length === 0) return;
      try {
        await queue.addBulk(
          items.map((item) => ({
            payload: { deliveryId: item.id },
            options: {
              jobId: `webhook-${item.id}-${item.attempts}${item.manual ? `-manual-${Date.now()}` : ''}`,
              ...(item.delayMs ? { delay: item.delayMs } : {}),
              attempts: 1,
              removeOnComplete: true,
              removeOnFail: true,
            },
          })),
        );
      } catch (error) {
        logger.warn(
          { err: error, deliveries: items.map((item) => item.id) },
          'could not enqueue webhook deliveries; the reconciler will',
        );
      }
    },
    close: () => queue.close(),
  };
}

/**
 * The BullMQ worker that makes delivery attempts, and the Redis-independent reconciler that hands every due delivery
 * (next_attempt_at ≤ now, in Postgres) to the queue again: a job Redis lost is re-created, a live one deduplicated.
 */
export function startWebhookWorker(deps: {
  context: QueueContext;
  delivery: WebhookDelivery;
  webhooks: WebhooksRepository;
  scheduler: DeliveryScheduler;
  logger: Logger;
  reconcileIntervalMs: number;
  now: () => Date;
  concurrency?: number;
  metrics?: QueueMetrics;
}) {
  const worker = startWorker(
    'certification.webhooks',
    deps.context,
    ({ deliveryId }) => deps.delivery.attempt(deliveryId),
    {
      concurrency: deps.concurrency ?? 16,
    },
  );
  deps.metrics?.observe(worker);
  const reconciler = startReconciler({
    findPending: () => deps.webhooks.dueDeliveries(deps.now(), 1_000),
    enqueue: (due) => deps.scheduler.enqueue(due.map((item) => ({ id: item.id, attempts: item.attempts }))),
    logger: deps.logger,
    intervalMs: deps.reconcileIntervalMs,
    immediately: true,
  });
  return {
    reconcileNow: reconciler.runOnce,
    close: async () => {
      await reconciler.stop();
      await worker.close();
    },
  };
}
