import type { Server } from '@cabc/http-kit';
import { listen, openInfrastructure, type RunningService, startTracing } from '@cabc/service-kit';
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

/** Opens the certification body's infrastructure, composes it, builds the app, starts its workers and listens. */
export async function startCertificationBody(
  config: CertificationConfig,
  options: CertificationBodyOptions = {},
): Promise<RunningCertificationBody> {
  await startTracing({ serviceName: 'certification-body' });
  const infra = await openInfrastructure('certification-body', config);
  const body = composeCertificationBody(infra, config, options);
  const app = await buildApp(body);
  const workers = startWorkers(body);
  // Registered last, so it runs first: the workers stop before the scheduler's queue, Redis and the pool close.
  app.addHook('onClose', workers.close);
  return {
    ...(await listen(app, config.HOST, config.PORT)),
    runDeadlines: workers.runDeadlines,
    reconcileWebhooks: workers.reconcileWebhooks,
    body,
  };
}
