import type { Server } from '@cabc/http-kit';
import { listen, openInfrastructure, type RunningService, startTracing } from '@cabc/service-kit';
import { buildApp } from './app.ts';
import { composeCollector, type CollectorOptions } from './composition.ts';
import type { CollectorConfig } from './config.ts';
import { startWorkers } from './workers/start-workers.ts';

export type RunningCollector = RunningService<Server> & {
  reconcileNow: () => Promise<number>;
  /** One MLflow pull pass now; undefined when pull collection is off. */
  pollMlflow: (() => Promise<{ collected: number; skipped: number; evidence: number }>) | undefined;
};

/** Opens the collector's infrastructure, composes it, builds the app, starts its workers and listens. */
export async function startCollector(
  config: CollectorConfig,
  options: CollectorOptions = {},
): Promise<RunningCollector> {
  await startTracing({ serviceName: 'evidence-collector' });
  const infra = await openInfrastructure('evidence-collector', config);
  const collector = composeCollector(infra, config, options);
  const app = await buildApp(collector);
  const workers = startWorkers(collector);
  // Registered last, so it runs first: the workers stop before the producer, Redis and the pool close.
  app.addHook('onClose', workers.close);
  return {
    ...(await listen(app, config.HOST, config.PORT)),
    reconcileNow: workers.reconcileNow,
    pollMlflow: workers.pollMlflow,
  };
}
