import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { startWorker, TypedQueue, type CappedBackoff, type QueueContext } from '@cabc/service-kit';
import { createOutboxProcessor } from './outbox-delivery.ts';
import { outboxJobOptions } from './outbox-job-options.ts';
import type { OutboxDeliveryMetrics } from './outbox-metrics.ts';
import { startReconciler } from './reconciler.ts';
import type { OutboxRepository } from './outbox.repository.ts';

type OutboxQueueName = 'collector.outbox' | 'assessment.outbox';

export interface OutboxProducer {
  /** Enqueues delivery of rows already committed; never throws (the reconciler covers a Redis outage). */
  kick: (outboxIds: number[]) => Promise<void>;
  close: () => Promise<void>;
}

/** The producing half: used by request handlers after their transaction commits. */
export function createOutboxProducer(name: OutboxQueueName, context: QueueContext, logger: Logger): OutboxProducer {
  const queue = new TypedQueue(name, context);
  return {
    kick: async (outboxIds) => {
      try {
        await queue.addBulk(
          outboxIds.map((outboxId) => ({ payload: { outboxId }, options: outboxJobOptions(outboxId) })),
        );
      } catch (error) {
        logger.warn({ err: error, outboxIds }, 'could not enqueue outbox delivery; the reconciler will');
      }
    },
    close: () => queue.close(),
  };
}

/** The delivering half: a BullMQ worker plus the Redis-independent reconciler. */
export function startOutboxDelivery(deps: {
  name: OutboxQueueName;
  context: QueueContext;
  outbox: OutboxRepository;
  producer: OutboxProducer;
  logger: Logger;
  reconcileIntervalMs: number;
  retry: CappedBackoff;
  concurrency?: number;
  metrics?: OutboxDeliveryMetrics | undefined;
}): { worker: Worker; reconcileNow: () => Promise<number>; close: () => Promise<void> } {
  const processor = createOutboxProcessor({
    outbox: deps.outbox,
    logger: deps.logger,
    kickNext: (outboxId) => deps.producer.kick([outboxId]),
    metrics: deps.metrics,
  });
  const worker = startWorker(deps.name, deps.context, processor, {
    concurrency: deps.concurrency ?? 16,
    backoff: deps.retry,
  });
  const reconciler = startReconciler({
    findPending: (olderThan) => deps.outbox.pendingIds(olderThan, 1_000),
    enqueue: deps.producer.kick,
    logger: deps.logger,
    intervalMs: deps.reconcileIntervalMs,
  });
  return {
    worker,
    reconcileNow: reconciler.runOnce,
    close: async () => {
      await reconciler.stop();
      await worker.close();
    },
  };
}
