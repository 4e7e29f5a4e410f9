import type { Server } from '@cabc/http-kit';
import { openInfrastructure, runsWorkers, serve, startTracing, type RunningService } from '@cabc/service-kit';
import { buildApp } from './app.ts';
import { composeCollector, type CollectorOptions } from './composition.ts';
import type { CollectorConfig } from './config.ts';
import { startWorkers } from './workers/start-workers.ts';

export type RunningCollector = RunningService<Server> & {
  reconcileNow: () => Promise<number>;
  /** One MLflow pull pass now; undefined when pull collection is off. */
  pollMlflow: (() => Promise<{ collected: number; skipped: number; evidence: number }>) | undefined;
};

/**
 * Opens the collector's infrastructure, composes it, builds the app, starts its workers and listens; a process of
 * PROCESS_ROLE `http` starts no workers, one of `workers` does not listen.
 */
export async function startCollector(
  config: CollectorConfig,
  options: CollectorOptions = {},
): Promise<RunningCollector> {
  await startTracing({ serviceName: 'evidence-collector' });
  const infra = await openInfrastructure('evidence-collector', config);
  const collector = composeCollector(infra, config, options);
  const app = await buildApp(collector);
  const workers = runsWorkers(config) ? startWorkers(collector) : undefined;
  // Registered last, so it runs first: the workers stop before the producer, Redis and the pool close.
  if (workers) app.addHook('onClose', workers.close);
  return {
    ...(await serve(app, config)),
    reconcileNow: async () => (await workers?.reconcileNow()) ?? 0,
    pollMlflow: workers?.pollMlflow,
  };
}
