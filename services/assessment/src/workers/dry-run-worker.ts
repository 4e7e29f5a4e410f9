import { startWorker } from '@cabc/service-kit';
import type { Assessment } from '../composition.ts';

/**
 * Computes dry runs off the request path, one (DRY_RUN_CONCURRENCY) at a time per process, each under
 * DRY_RUN_TIME_BUDGET; a failed dry run is not retried (its job says why).
 */
export function startDryRunWorker(assessment: Assessment) {
  const { config, services } = assessment;
  return startWorker(
    'assessment.dry-run',
    assessment.infra.queues,
    (payload) => services.dryRun.compute(payload, config.DRY_RUN_TIME_BUDGET),
    { concurrency: config.DRY_RUN_CONCURRENCY },
  );
}
