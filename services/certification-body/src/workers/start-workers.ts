import type { CertificationBody } from '../composition.ts';
import { startDeadlineScheduler } from './deadline-scheduler.ts';
import { startWebhookWorker } from './webhook-worker.ts';

/** The certification body's background work: the deadline scheduler and the webhook delivery worker + reconciler. */
export function startWorkers(body: CertificationBody) {
  const scheduler = startDeadlineScheduler({
    certification: body.certification,
    logger: body.logger,
    intervalMs: body.config.RECONCILE_INTERVAL,
  });
  const webhooks = startWebhookWorker({
    context: body.queues,
    delivery: body.delivery,
    webhooks: body.webhooks,
    scheduler: body.scheduler,
    logger: body.logger,
    reconcileIntervalMs: body.config.RECONCILE_INTERVAL,
    now: body.now,
  });
  return {
    runDeadlines: scheduler.runOnce,
    reconcileWebhooks: webhooks.reconcileNow,
    close: async () => {
      await scheduler.close();
      await webhooks.close();
    },
  };
}
