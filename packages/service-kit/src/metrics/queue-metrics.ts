import { Queue, type Job, type Worker } from 'bullmq';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueName } from '../queues/queue-registry.ts';
import type { QueueContext } from '../queues/typed-queue.ts';
import { withinScrapeTime } from './metrics-registry.ts';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
const SCRAPE_TIMEOUT_MS = 2_000;

export interface QueueMetrics {
  /** Times every job the worker settles: wait (added → started) and run (started → finished), by outcome. */
  observe: (worker: Worker) => void;
  close: () => Promise<void>;
}

/**
 * Depth of the service's BullMQ queues by state (read from Redis at scrape time) and the latency of the jobs its
 * workers run. A Redis that does not answer within 2 s leaves the depths out of that scrape.
 */
export function registerQueueMetrics(
  registry: Registry,
  context: QueueContext,
  names: readonly QueueName[],
): QueueMetrics {
  const queues = names.map((name) => {
    const queue = new Queue(name, { connection: context.connection, prefix: context.prefix });
    // As in TypedQueue: the connection logs an outage once; an unheard 'error' makes BullMQ print every stack.
    queue.on('error', () => {});
    return queue;
  });
  new Gauge({
    name: 'cabc_queue_jobs',
    help: 'Jobs in the queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        const counts = await withinScrapeTime(SCRAPE_TIMEOUT_MS, () => queue.getJobCounts(...STATES));
        if (!counts) continue;
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  const wait = new Histogram({
    name: 'cabc_job_wait_seconds',
    help: 'Time from a job being added (or its delay ending) to a worker starting it',
    labelNames: ['queue'],
    buckets: [0.005, 0.02, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [registry],
  });
  const run = new Histogram({
    name: 'cabc_job_duration_seconds',
    help: 'Time a worker took for a job, by outcome (completed, failed)',
    labelNames: ['queue', 'outcome'],
    buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [registry],
  });
  const settled = (worker: Worker, outcome: 'completed' | 'failed') => (job: Job | undefined) => {
    if (!job?.processedOn) return;
    const ready = job.timestamp + (job.opts.delay ?? 0);
    wait.observe({ queue: worker.name }, Math.max(0, job.processedOn - ready) / 1000);
    run.observe({ queue: worker.name, outcome }, Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
  };
  return {
    observe(worker) {
      worker.on('completed', settled(worker, 'completed'));
      worker.on('failed', settled(worker, 'failed'));
    },
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
