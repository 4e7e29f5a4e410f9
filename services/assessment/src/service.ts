import { openInfrastructure, runsWorkers, serve, startTracing, type RunningService } from '@cabc/service-kit';
import type { Server } from '@cabc/http-kit';
import { buildApp } from './app.ts';
import { composeAssessment, type AssessmentOptions } from './composition.ts';
import type { AssessmentConfig } from './config.ts';
import { startWorkers } from './workers/start-workers.ts';

export type RunningAssessment = RunningService<Server> & { reconcileNow: () => Promise<number> };

/**
 * Opens the assessment service's infrastructure, composes it, builds the app, starts its workers and listens; a
 * process of PROCESS_ROLE `http` starts no workers, one of `workers` does not listen.
 */
export async function startAssessment(
  config: AssessmentConfig,
  options: AssessmentOptions = {},
): Promise<RunningAssessment> {
  await startTracing({ serviceName: 'assessment' });
  const infra = await openInfrastructure('assessment', config);
  const assessment = composeAssessment(infra, config, options);
  const app = await buildApp(assessment);
  const workers = runsWorkers(config) ? startWorkers(assessment) : undefined;
  // Registered last, so it runs first: the workers stop before the composition's queues, Redis and the pool close.
  if (workers) app.addHook('onClose', workers.close);
  return { ...(await serve(app, config)), reconcileNow: async () => (await workers?.reconcileNow()) ?? 0 };
}
