import { randomUUID } from 'node:crypto';
import { TooManyRequestsProblem } from '@cabc/http-kit';
import { jobPayload, queueRegistry, type TypedQueue } from '@cabc/service-kit';
import type { DryRunRequest } from './dry-run.service.ts';

/** Retry-After of a dry run refused for its organization's queued ones. */
const POLL_AGAIN_SECONDS = 5;

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

/** Queued and running jobs looked at when counting an organization's (far more than any cap). */
const COUNTED_JOBS = 1_000;

/**
 * Dry runs as BullMQ jobs: the route enqueues, the dry-run worker computes, the result stays on the job. An
 * organization has at most `maxQueuedPerOrg` dry runs queued or running: one worker runs them in turn, so without
 * a cap one organization's hundred dry runs would keep every other organization's waiting for half an hour.
 */
export function createDryRunJobs(queue: TypedQueue<'assessment.dry-run'>, options: { maxQueuedPerOrg: number }) {
  const pendingOf = async (org: string) => {
    const jobs = await queue.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'], 0, COUNTED_JOBS - 1);
    return jobs.filter(
      (job) => queueRegistry['assessment.dry-run'].safeParse(jobPayload(job?.data).payload).data?.org === org,
    ).length;
  };
  return {
    async enqueue(request: DryRunRequest): Promise<string> {
      if ((await pendingOf(request.org)) >= options.maxQueuedPerOrg) {
        throw new TooManyRequestsProblem(
          `organization ${request.org} has ${options.maxQueuedPerOrg} dry runs queued or running; ask again when one is done`,
          POLL_AGAIN_SECONDS,
          'path:version',
        );
      }
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
      const parsed = queueRegistry['assessment.dry-run'].safeParse(jobPayload(job?.data).payload);
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
