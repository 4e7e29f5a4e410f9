export {
  OutboxRepository,
  type OutboxDatabase,
  type OutboxMessage,
  type NewOutboxMessage,
} from './outbox.repository.ts';
export { createOutboxProcessor, type DeliveryOutcome } from './outbox-delivery.ts';
export { startReconciler } from './reconciler.ts';
export { outboxJobOptions } from './outbox-job-options.ts';
export { createOutboxProducer, startOutboxDelivery, type OutboxProducer } from './outbox-pipeline.ts';
export { registerOutboxMetrics, type OutboxDeliveryMetrics, type DeliveryAttemptOutcome } from './outbox-metrics.ts';
