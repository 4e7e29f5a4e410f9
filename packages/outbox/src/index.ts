export {
  OutboxRepository,
  type OutboxDatabase,
  type OutboxMessage,
  type NewOutboxMessage,
  type OutboxStatus,
  type PendingHead,
  type UndeliveredMessage,
  undeliveredStatuses,
} from './outbox.repository.ts';
export { fairPendingHeads } from './fair-reconciler.ts';
export { createOutboxProcessor, type DeliveryOutcome, type OutboxPrepare } from './outbox-delivery.ts';
export { startReconciler } from './reconciler.ts';
export { outboxJobOptions } from './outbox-job-options.ts';
export { createOutboxProducer, startOutboxDelivery, type OutboxProducer } from './outbox-pipeline.ts';
export { registerOutboxMetrics, type OutboxDeliveryMetrics, type DeliveryAttemptOutcome } from './outbox-metrics.ts';
export { registerOutboxRoutes } from './outbox-routes.ts';
