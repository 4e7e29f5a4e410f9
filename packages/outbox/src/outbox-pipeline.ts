import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import {
  EnqueueTimeoutError,
  isInfrastructureUnavailable,
  startWorker,
  TypedQueue,
  type CappedBackoff,
  type QueueContext,
} from '@cabc/service-kit';
import { createOutboxProcessor, type OutboxPrepare } from './outbox-delivery.ts';
import { fairPendingHeads } from './fair-reconciler.ts';
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
        // A Redis outage is logged once by its connection; each request it touches gets a debug line only.
        const outage = error instanceof EnqueueTimeoutError || isInfrastructureUnavailable(error);
        const line = { outboxIds, error: error instanceof Error ? error.message : String(error) };
        if (outage) logger.debug(line, 'could not enqueue outbox delivery; the reconciler will');
        else logger.warn({ ...line, err: error }, 'could not enqueue outbox delivery; the reconciler will');
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
  /** Failed attempts after which a message is dead-lettered (DELIVERY_MAX_ATTEMPTS). */
  maxAttempts: number;
  concurrency?: number;
  metrics?: OutboxDeliveryMetrics | undefined;
  prepare?: OutboxPrepare;
}): { worker: Worker; reconcileNow: () => Promise<number>; close: () => Promise<void> } {
  const processor = createOutboxProcessor({
    outbox: deps.outbox,
    logger: deps.logger,
    kickNext: (outboxId) => deps.producer.kick([outboxId]),
    metrics: deps.metrics,
    maxAttempts: deps.maxAttempts,
    ...(deps.prepare ? { prepare: deps.prepare } : {}),
  });
  const worker = startWorker(deps.name, deps.context, processor, {
    concurrency: deps.concurrency ?? 16,
    backoff: deps.retry,
  });
  const reconciler = startReconciler({
    findPending: fairPendingHeads(deps.outbox, 1_000),
    enqueue: deps.producer.kick,
    logger: deps.logger,
    intervalMs: deps.reconcileIntervalMs,
    // At boot, at once: what a crashed process left (or Redis lost) is owed now, not one interval later.
    immediately: true,
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
