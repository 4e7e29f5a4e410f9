export {
  OutboxRepository,
  type OutboxDatabase,
  type OutboxMessage,
  type NewOutboxMessage,
} from './outbox.repository.ts';
export { createOutboxProcessor, type DeliveryOutcome, type OutboxPrepare } from './outbox-delivery.ts';
export { startReconciler } from './reconciler.ts';
export { outboxJobOptions } from './outbox-job-options.ts';
export { createOutboxProducer, startOutboxDelivery, type OutboxProducer } from './outbox-pipeline.ts';
