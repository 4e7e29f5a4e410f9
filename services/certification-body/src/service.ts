import { listen, openInfrastructure, type RunningService } from '@cabc/service-kit';
import { buildApp } from './app.ts';
import { composeFromInfrastructure, type CertificationBody } from './composition.ts';
import type { CertificationConfig } from './config.ts';
import type { DecisionPolicy } from './domain/index.ts';
import { startWorkers } from './workers/start-workers.ts';

export type RunningCertificationBody = RunningService & {
  /** Applies the due time-based transitions now (the timer does it every RECONCILE_INTERVAL). */
  runDeadlines: () => Promise<number>;
  /** Hands the due webhook deliveries to the queue now (the reconciler does it every RECONCILE_INTERVAL). */
  reconcileWebhooks: () => Promise<number>;
  body: CertificationBody;
};

/** Opens the certification body's infrastructure, builds the app, starts its workers and listens. */
export async function startCertificationBody(
  config: CertificationConfig,
  options: { policy?: DecisionPolicy; now?: () => Date } = {},
): Promise<RunningCertificationBody> {
  const infra = await openInfrastructure('certification-body', config);
  const body = composeFromInfrastructure(infra, config, options);
  const app = await buildApp(body);
  const workers = startWorkers(body);
  // onClose hooks run in order after the server stopped: workers first, then Redis and the pool.
  app.addHook('onClose', async () => {
    await workers.close();
    await infra.close();
  });
  return {
    ...(await listen(app, config.HOST, config.PORT)),
    runDeadlines: workers.runDeadlines,
    reconcileWebhooks: workers.reconcileWebhooks,
    body,
  };
}
