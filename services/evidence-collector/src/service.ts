import { listen, openInfrastructure, type RunningService } from '@cabc/runtime';
import { buildApp } from './app.ts';
import type { CollectorConfig } from './config.ts';
import { startCollectorWorkers } from './workers/start-workers.ts';

/** Opens the collector's infrastructure, builds the app, starts its workers and listens. */
export async function startCollector(config: CollectorConfig): Promise<RunningService & { reconcileNow: () => Promise<number> }> {
  const infra = await openInfrastructure('evidence-collector', config);
  const app = await buildApp({
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    assessmentUrl: config.ASSESSMENT_URL,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  const workers = startCollectorWorkers({
    ...infra,
    reconcileIntervalMs: config.RECONCILE_INTERVAL,
    retry: { baseMs: config.DELIVERY_RETRY_BASE_DELAY, maxMs: config.DELIVERY_RETRY_MAX_DELAY },
  });
  app.addHook('onClose', async () => {
    await workers.close();
    await infra.close();
  });
  return { ...(await listen(app, config.HOST, config.PORT)), reconcileNow: workers.reconcileNow };
}
