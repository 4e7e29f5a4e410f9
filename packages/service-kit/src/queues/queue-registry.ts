import { z } from 'zod';

/**
 * Every queue of the platform and the payload its jobs carry. Producers and workers both go through this map,
 * so a payload that does not match is refused at enqueue time and again when a worker picks it up.
 * Payloads hold ids only: the data itself is in Postgres (and secrets never travel through Redis).
 */
export const queueRegistry = {
  /** Collector: deliver one outbox message (signed evidence) to the assessment service. */
  'collector.outbox': z.strictObject({ outboxId: z.number().int().positive() }),
  /** Assessment: deliver one outbox message (signed callback) to the certification body. */
  'assessment.outbox': z.strictObject({ outboxId: z.number().int().positive() }),
  /**
   * Assessment: evaluate the requirements of a ToE that one accepted evidence can affect; without an evidence id,
   * every requirement (a new approval, evidence growing stale).
   */
  'assessment.evaluate': z.strictObject({ toe: z.string().min(1), evidenceId: z.string().min(1).optional() }),
  /** Assessment: one dry run of a scope version on the ToE's stored evidence (its result stays on the job). */
  'assessment.dry-run': z.strictObject({
    toe: z.string().min(1),
    version: z.number().int().positive(),
    org: z.string().min(1),
  }),
  /** Certification body: one attempt at one webhook delivery (the schedule and the payload are in Postgres). */
  'certification.webhooks': z.strictObject({ deliveryId: z.number().int().positive() }),
  /** Periodic reconciliation of an outbox: re-enqueue what was not acknowledged. */
  'collector.reconcile': z.strictObject({}),
  'assessment.reconcile': z.strictObject({}),
} as const;

export type QueueName = keyof typeof queueRegistry;
export type QueuePayload<N extends QueueName> = z.infer<(typeof queueRegistry)[N]>;
