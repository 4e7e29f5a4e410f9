import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createOutboxProducer, OutboxRepository, startOutboxDelivery } from '@cabc/outbox';
import type { CappedBackoff, QueueContext } from '@cabc/queues';

/** The collector's background work: delivering signed evidence from the outbox to the assessment service. */
export function startCollectorWorkers(deps: { db: Kysely<any>; queues: QueueContext; logger: Logger; reconcileIntervalMs: number; retry: CappedBackoff }) {
  const producer = createOutboxProducer('collector.outbox', deps.queues, deps.logger);
  const delivery = startOutboxDelivery({
    name: 'collector.outbox',
    context: deps.queues,
    outbox: new OutboxRepository(deps.db),
    producer,
    logger: deps.logger,
    reconcileIntervalMs: deps.reconcileIntervalMs,
    retry: deps.retry,
  });
  return {
    reconcileNow: delivery.reconcileNow,
    close: async () => {
      await delivery.close();
      await producer.close();
    },
  };
}
