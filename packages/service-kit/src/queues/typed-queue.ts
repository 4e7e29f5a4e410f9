import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { activeTraceparent, inSpan, SpanKind, type TracedService } from '../tracing/spans.ts';
import { queueRegistry, type QueueName, type QueuePayload } from './queue-registry.ts';

/** The job-data field carrying the producer's W3C `traceparent` (set only while tracing). */
const traceField = 'traceparent';

const serviceOfQueue = (name: QueueName): TracedService =>
  name.startsWith('collector.')
    ? 'evidence-collector'
    : name.startsWith('assessment.')
      ? 'assessment'
      : 'certification-body';

/** A job's data without the trace context: what the queue's registry schema checks. */
export function jobPayload(data: unknown): { payload: unknown; traceparent: string | undefined } {
  if (typeof data !== 'object' || data === null || !(traceField in data))
    return { payload: data, traceparent: undefined };
  const { [traceField]: traceparent, ...payload } = data as Record<string, unknown>;
  return { payload, traceparent: typeof traceparent === 'string' ? traceparent : undefined };
}

/** Job data: the checked payload, plus the trace context the worker continues. */
function withTrace<T extends object>(data: T): T & { [traceField]?: string } {
  const traceparent = activeTraceparent();
  return traceparent ? { ...data, [traceField]: traceparent } : data;
}

export interface QueueContext {
  /** The workers' connection (blocking commands wait for reconnects). */
  connection: Redis;
  /** The producers' connection, failing fast while Redis is down (createProducerRedis); `connection` when absent. */
  producer?: Redis;
  /** BullMQ key prefix: one per deployment, one per test file. */
  prefix: string;
  /** An enqueue not done within this is given up (the reconcilers re-enqueue from Postgres); none when absent. */
  enqueueTimeoutMs?: number;
  /** How fast a job of a crashed process is taken over (BullMQ lock and stalled-job check). */
  recovery?: WorkerRecovery;
}

export interface WorkerRecovery {
  /** A job's lock expires this long after its worker stopped renewing it (renewed every half of it). */
  lockDurationMs: number;
  /** Every this long, jobs whose lock expired go back to waiting. */
  stalledIntervalMs: number;
}

export class EnqueueTimeoutError extends Error {
  override name = 'EnqueueTimeoutError';
}

/** `work`, or a rejection after `timeoutMs` (the work itself is left to finish or fail on its own). */
async function within<T>(work: Promise<T>, timeoutMs: number | undefined, what: string): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnqueueTimeoutError(`${what} not done within ${timeoutMs} ms`)), timeoutMs);
  });
  // A late failure of the abandoned work is not news: its caller already moved on.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const defaultJobOptions: JobsOptions = { removeOnComplete: true, removeOnFail: 1000 };

/** A BullMQ queue whose payloads are checked against the registry. */
export class TypedQueue<N extends QueueName> {
  readonly name: N;
  readonly queue: Queue;
  readonly #timeoutMs: number | undefined;

  constructor(name: N, context: QueueContext) {
    this.name = name;
    this.#timeoutMs = context.enqueueTimeoutMs;
    const connection = context.producer ?? context.connection;
    this.queue = new Queue(name, { connection, prefix: context.prefix, defaultJobOptions });
    // Connection errors are logged once per outage by the connection; unheard here, BullMQ prints each one's stack.
    this.queue.on('error', () => {});
  }

  async add(payload: QueuePayload<N>, options: JobsOptions = {}): Promise<void> {
    const data = queueRegistry[this.name].parse(payload);
    await inSpan(`${this.name} enqueue`, { kind: SpanKind.PRODUCER }, () =>
      within(this.queue.add(this.name, withTrace(data), options), this.#timeoutMs, `enqueue on ${this.name}`),
    );
  }

  async addBulk(items: { payload: QueuePayload<N>; options?: JobsOptions }[]): Promise<void> {
    if (items.length === 0) return;
    await inSpan(`${this.name} enqueue`, { kind: SpanKind.PRODUCER }, () => {
      const jobs = items.map((item) => ({
        name: this.name,
        data: withTrace(queueRegistry[this.name].parse(item.payload)),
        opts: item.options ?? {},
      }));
      return within(this.queue.addBulk(jobs), this.#timeoutMs, `enqueue on ${this.name}`);
    });
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
  // The periodic reconciliation ticks would be a trace every few seconds; what they re-enqueue is traced.
  const housekeeping = name.endsWith('.reconcile');
  const worker = new Worker(
    name,
    async (job) => {
      const { payload, traceparent } = jobPayload(job.data);
      const run = () => processor(queueRegistry[name].parse(payload) as QueuePayload<N>, job);
      if (housekeeping) return run();
      return inSpan(
        `${name} process`,
        { service: serviceOfQueue(name), kind: SpanKind.CONSUMER, parent: traceparent },
        run,
      );
    },
    {
      connection: context.connection,
      prefix: context.prefix,
      concurrency: options.concurrency ?? 8,
      // BullMQ's defaults (30 s lock, 30 s stalled check) hold a crashed process's jobs for up to a minute.
      ...(context.recovery
        ? {
            lockDuration: context.recovery.lockDurationMs,
            stalledInterval: context.recovery.stalledIntervalMs,
            // A short lock may be lost under a long pause; the retry is harmless (receivers are idempotent).
            maxStalledCount: 5,
          }
        : {}),
      // After a Redis connection error the worker waits this long before it fetches again (BullMQ: 15 s).
      runRetryDelay: 1_000,
      settings: { backoffStrategy: (attemptsMade: number) => cappedBackoffDelay(attemptsMade, backoff) },
    },
  );
  // Failures are retried by BullMQ and logged by the processor; keep the emitter from throwing.
  worker.on('error', () => {});
  return worker;
}
