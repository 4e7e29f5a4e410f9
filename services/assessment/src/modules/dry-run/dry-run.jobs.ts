import { randomUUID } from 'node:crypto';
import { queueRegistry, type TypedQueue } from '@cabc/service-kit';
import type { DryRunRequest } from './dry-run.service.ts';

/** How long a finished dry run can be read back. */
const KEEP_SECONDS = 3600;

export type DryRunJobState = 'queued' | 'running' | 'completed' | 'failed';

export interface DryRunJob {
  id: string;
  state: DryRunJobState;
  request: DryRunRequest;
  /** The dry run's answer, once completed. */
  result?: unknown;
  /** Why it failed (its time budget, a scope that no longer exists). */
  error?: string;
}

/** Dry runs as BullMQ jobs: the route enqueues, the dry-run worker computes, the result stays on the job. */
export function createDryRunJobs(queue: TypedQueue<'assessment.dry-run'>) {
  return {
    async enqueue(request: DryRunRequest): Promise<string> {
      const id = randomUUID();
      await queue.add(request, {
        jobId: id,
        attempts: 1,
        removeOnComplete: { age: KEEP_SECONDS },
        removeOnFail: { age: KEEP_SECONDS },
      });
      return id;
    },

    /** The job, if it exists and belongs to `org` (another organization's dry run is answered as missing). */
    async find(id: string, org: string): Promise<DryRunJob | undefined> {
      const job = await queue.queue.getJob(id);
      const parsed = queueRegistry['assessment.dry-run'].safeParse(job?.data);
      if (!job || !parsed.success || parsed.data.org !== org) return undefined;
      const request = parsed.data;
      const state = await job.getState();
      const base = { id, request };
      if (state === 'completed') return { ...base, state: 'completed', result: job.returnvalue };
      if (state === 'failed') return { ...base, state: 'failed', error: job.failedReason };
      return { ...base, state: state === 'active' ? 'running' : 'queued' };
    },
  };
}

export type DryRunJobs = ReturnType<typeof createDryRunJobs>;
