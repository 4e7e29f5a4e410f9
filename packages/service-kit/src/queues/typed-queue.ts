import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueRegistry, type QueueName, type QueuePayload } from './queue-registry.ts';

export interface QueueContext {
  connection: Redis;
  /** BullMQ key prefix: one per deployment, one per test file. */
  prefix: string;
}

const defaultJobOptions: JobsOptions = { removeOnComplete: true, removeOnFail: 1000 };

/** A BullMQ queue whose payloads are checked against the registry. */
export class TypedQueue<N extends QueueName> {
  readonly name: N;
  readonly queue: Queue;

  constructor(name: N, context: QueueContext) {
    this.name = name;
    this.queue = new Queue(name, { connection: context.connection, prefix: context.prefix, defaultJobOptions });
  }

  async add(payload: QueuePayload<N>, options: JobsOptions = {}): Promise<void> {
    await this.queue.add(this.name, queueRegistry[this.name].parse(payload), options);
  }

  async addBulk(items: { payload: QueuePayload<N>; options?: JobsOptions }[]): Promise<void> {
    if (items.length === 0) return;
    await this.queue.addBulk(
      items.map((item) => ({
        name: this.name,
        data: queueRegistry[this.name].parse(item.payload),
        opts: item.options ?? {},
      })),
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export type TypedWorker = Worker;

/** Retry delays for jobs added with `backoff: { type: 'capped' }`: exponential, capped, with full jitter. */
export interface CappedBackoff {
  baseMs: number;
  maxMs: number;
}

export function cappedBackoffDelay(attemptsMade: number, backoff: CappedBackoff, random = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function startWorker<N extends QueueName>(
  name: N,
  context: QueueContext,
  processor: (payload: QueuePayload<N>, job: Job) => Promise<unknown>,
  options: { concurrency?: number; backoff?: CappedBackoff } = {},
): Worker {
  const backoff = options.backoff ?? { baseMs: 250, maxMs: 60_000 };
  const worker = new Worker(
    name,
    async (job) => processor(queueRegistry[name].parse(job.data) as QueuePayload<N>, job),
    {
      connection: context.connection,
      prefix: context.prefix,
      concurrency: options.concurrency ?? 8,
      settings: { backoffStrategy: (attemptsMade: number) => cappedBackoffDelay(attemptsMade, backoff) },
    },
  );
  // Failures are retried by BullMQ and logged by the processor; keep the emitter from throwing.
  worker.on('error', () => {});
  return worker;
}
