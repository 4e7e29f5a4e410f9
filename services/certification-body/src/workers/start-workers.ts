import { startKeyRotationTimer } from '@cabc/key-store';
import type { CertificationBody } from '../composition.ts';
import { startDeadlineScheduler } from './deadline-scheduler.ts';
import { startWebhookWorker } from './webhook-worker.ts';

/**
 * The certification body's background work, on the composition's services: the deadline scheduler and the webhook
 * delivery worker with its reconciler.
 */
export function startWorkers(body: CertificationBody) {
  const keyRotation = startKeyRotationTimer({
    keys: body.infra.keys,
    intervalMs: body.config.SIGNING_KEY_ROTATION_INTERVAL,
    overlapMs: body.config.SIGNING_KEY_ROTATION_OVERLAP,
    logger: body.logger,
  });
  const scheduler = startDeadlineScheduler({
    certification: body.services.certification,
    logger: body.logger,
    intervalMs: body.config.RECONCILE_INTERVAL,
  });
  const webhooks = startWebhookWorker({
    context: body.infra.queues,
    delivery: body.services.delivery,
    webhooks: body.repositories.webhooks,
    scheduler: body.scheduler,
    logger: body.logger,
    reconcileIntervalMs: body.config.RECONCILE_INTERVAL,
    now: body.now,
    metrics: body.metrics.queues,
  });
  return {
    runDeadlines: scheduler.runOnce,
    reconcileWebhooks: webhooks.reconcileNow,
    close: async () => {
      await keyRotation();
      await scheduler.close();
      await webhooks.close();
    },
  };
}
