import type { Server } from '@cabc/http-kit';
import { openInfrastructure, runsWorkers, serve, startTracing, type RunningService } from '@cabc/service-kit';
import { buildApp } from './app.ts';
import { composeCertificationBody, type CertificationBody, type CertificationBodyOptions } from './composition.ts';
import type { CertificationConfig } from './config.ts';
import { startWorkers } from './workers/start-workers.ts';

export type RunningCertificationBody = RunningService<Server> & {
  /** Applies the due time-based transitions now (the timer does it every RECONCILE_INTERVAL). */
  runDeadlines: () => Promise<number>;
  /** Hands the due webhook deliveries to the queue now (the reconciler does it every RECONCILE_INTERVAL). */
  reconcileWebhooks: () => Promise<number>;
  body: CertificationBody;
};

/**
 * Opens the certification body's infrastructure, composes it, builds the app, starts its workers and listens; a
 * process of PROCESS_ROLE `http` starts no workers, one of `workers` does not listen.
 */
export async function startCertificationBody(
  config: CertificationConfig,
  options: CertificationBodyOptions = {},
): Promise<RunningCertificationBody> {
  await startTracing({ serviceName: 'certification-body' });
  const infra = await openInfrastructure('certification-body', config);
  const body = composeCertificationBody(infra, config, options);
  const app = await buildApp(body);
  const workers = runsWorkers(config) ? startWorkers(body) : undefined;
  // Registered last, so it runs first: the workers stop before the scheduler's queue, Redis and the pool close.
  if (workers) app.addHook('onClose', workers.close);
  return {
    ...(await serve(app, config)),
    runDeadlines: async () => (await workers?.runDeadlines()) ?? 0,
    reconcileWebhooks: async () => (await workers?.reconcileWebhooks()) ?? 0,
    body,
  };
}
