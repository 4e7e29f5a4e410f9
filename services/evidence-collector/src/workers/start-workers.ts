import { startKeyRotationTimer } from '@cabc/key-store';
import { startOutboxDelivery } from '@cabc/outbox';
import type { Collector } from '../composition.ts';
import { startLedgerWatch } from '../modules/ledger-watch/ledger-watch.module.ts';
import { createMlflowClient } from '../modules/mlflow-pull/mlflow-client.ts';
import { createMlflowPuller, schedulePolling, type PollSummary } from '../modules/mlflow-pull/mlflow-poller.ts';

/**
 * The collector's background work, on the composition's producer and services: delivering signed evidence from the
 * outbox to the assessment service, watching the auditor's ledger, and (when configured) pulling finished MLflow runs.
 */
export function startWorkers(collector: Collector) {
  const { config, logger, infra } = collector;
  const keyRotation = startKeyRotationTimer({
    keys: infra.keys,
    intervalMs: config.SIGNING_KEY_ROTATION_INTERVAL,
    overlapMs: config.SIGNING_KEY_ROTATION_OVERLAP,
    logger,
  });
  const ledgerWatch = startLedgerWatch({
    repository: collector.repositories.ledgerWatch,
    logger,
    settings: collector.ledgerWatch,
  });
  const delivery = startOutboxDelivery({
    name: 'collector.outbox',
    context: infra.queues,
    outbox: collector.repositories.outbox,
    producer: collector.producer,
    logger,
    reconcileIntervalMs: config.RECONCILE_INTERVAL,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    retry: { baseMs: config.DELIVERY_RETRY_BASE_DELAY, maxMs: config.DELIVERY_RETRY_MAX_DELAY },
    metrics: collector.metrics.outbox,
  });
  collector.metrics.queues.observe(delivery.worker);

  let pollMlflow: (() => Promise<PollSummary>) | undefined;
  let polling: { stop: () => Promise<void> } | undefined;
  const mlflow = collector.mlflow;
  if (mlflow) {
    const pullLogger = logger.child({ worker: 'mlflow-pull' });
    const puller = createMlflowPuller({
      client: createMlflowClient({ trackingUri: mlflow.trackingUri, credentials: mlflow.credentials }),
      repository: collector.repositories.mlflowPull,
      evidence: collector.services.evidence,
      logger: pullLogger,
      options: mlflow,
    });
    pollMlflow = puller.pollOnce;
    polling = schedulePolling(puller.pollOnce, mlflow.intervalMs, pullLogger);
    pullLogger.info(
      { trackingUri: mlflow.trackingUri, experiments: mlflow.experimentIds, intervalMs: mlflow.intervalMs },
      'MLflow pull collection on',
    );
  }

  return {
    reconcileNow: delivery.reconcileNow,
    /** One MLflow pass now (tests, operators); undefined when pull collection is off. */
    pollMlflow,
    close: async () => {
      await keyRotation();
      await polling?.stop();
      await ledgerWatch.stop();
      await delivery.close();
    },
  };
}
