import { startKeyRotationTimer } from '@cabc/key-store';
import { startOutboxDelivery, startReconciler } from '@cabc/outbox';
import { startWorker } from '@cabc/service-kit';
import type { Assessment } from '../composition.ts';
import { startPostureHeartbeat } from '../modules/callbacks/posture-heartbeat.ts';
import { createSendTimeSigner } from '../modules/callbacks/send-time-signing.ts';
import { startCheckpointTimer } from '../modules/ledger/ledger.module.ts';
import { startDryRunWorker } from './dry-run-worker.ts';
import { evaluationJobOptions } from './evaluation-job-options.ts';

/**
 * Evaluation of accepted evidence, time-driven re-evaluation (evidence growing stale), ledger checkpoints, and
 * delivery of scope decisions and posture callbacks to the certification body; on the composition's producers.
 */
export function startWorkers(assessment: Assessment) {
  const { config, logger, services, repositories, queues } = assessment;
  const keyRotation = startKeyRotationTimer({
    keys: assessment.infra.keys,
    intervalMs: config.SIGNING_KEY_ROTATION_INTERVAL,
    overlapMs: config.SIGNING_KEY_ROTATION_OVERLAP,
    logger,
  });
  const context = assessment.infra.queues;
  const retry = { baseMs: config.DELIVERY_RETRY_BASE_DELAY, maxMs: config.DELIVERY_RETRY_MAX_DELAY };
  const evaluator = startWorker('assessment.evaluate', context, (job) => services.evaluation.evaluate(job), {
    concurrency: 4,
    backoff: retry,
  });
  const dryRuns = startDryRunWorker(assessment);
  const evaluationReconciler = startReconciler({
    findPending: (olderThan) => repositories.evaluations.pendingEvaluations(olderThan, 1_000),
    enqueue: async (items) => {
      await queues.evaluate.addBulk(
        items.map((payload) => ({ payload, options: evaluationJobOptions(payload.evidenceId) })),
      );
    },
    logger,
    intervalMs: config.RECONCILE_INTERVAL,
    immediately: true,
  });
  // Due re-evaluations live in Postgres (evaluation_schedule); the timer only hands them to the queue.
  const staleEvidenceScheduler = startReconciler({
    findPending: () => services.evaluation.dueToes(500),
    enqueue: async (toes) => {
      await queues.evaluate.addBulk(
        toes.map((toe) => ({
          payload: { toe },
          options: { jobId: `evaluate-due-${toe}`, removeOnComplete: true, removeOnFail: true },
        })),
      );
    },
    logger,
    intervalMs: config.RECONCILE_INTERVAL,
    settleMs: 0,
    immediately: true,
  });
  // Signs a ledger checkpoint every CHECKPOINT_INTERVAL when the log grew (a plain timer: no Redis needed).
  const checkpoints = startCheckpointTimer({
    ledger: services.ledger,
    logger,
    intervalMs: assessment.ledger.settings.checkpointIntervalMs,
  });
  const heartbeat = startPostureHeartbeat(services.heartbeat, {
    logger,
    tickMs: Math.min(config.RECONCILE_INTERVAL, config.POSTURE_HEARTBEAT_INTERVAL),
  });
  const delivery = startOutboxDelivery({
    name: 'assessment.outbox',
    context,
    outbox: repositories.outbox,
    producer: queues.outbox,
    logger,
    reconcileIntervalMs: config.RECONCILE_INTERVAL,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    retry,
    metrics: assessment.metrics.outbox,
    prepare: createSendTimeSigner({ keys: assessment.infra.keys }),
  });
  assessment.metrics.queues.observe(evaluator);
  assessment.metrics.queues.observe(delivery.worker);
  return {
    reconcileNow: async () =>
      (await evaluationReconciler.runOnce()) +
      (await staleEvidenceScheduler.runOnce()) +
      (await delivery.reconcileNow()),
    close: async () => {
      await keyRotation();
      await heartbeat.stop();
      await checkpoints.stop();
      await staleEvidenceScheduler.stop();
      await evaluationReconciler.stop();
      await evaluator.close();
      await dryRuns.close();
      await delivery.close();
    },
  };
}
