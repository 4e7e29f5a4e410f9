import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SigningKeyStore } from '@cabc/key-store';
import { createOutboxProducer, OutboxRepository, startOutboxDelivery, startReconciler } from '@cabc/outbox';
import { startWorker, TypedQueue, type CappedBackoff, type QueueContext } from '@cabc/service-kit';
import { createEvaluationRepository } from '../modules/evaluation/evaluation.repository.ts';
import { createEvaluationService } from '../modules/evaluation/evaluation.service.ts';
import { createLedger, startCheckpointTimer, type LedgerSettings } from '../modules/ledger/ledger.module.ts';
import { createInForceScopes } from '../modules/evaluation/in-force-scope.ts';
import { createScopesRepository } from '../modules/scopes/scopes.repository.ts';
import { createFindingsRepository } from '../modules/findings/findings.repository.ts';
import { createToesRepository } from '../modules/toes/toes.repository.ts';
import { evaluationJobOptions } from './evaluation-job-options.ts';

/**
 * Evaluation of accepted evidence, time-driven re-evaluation (evidence growing stale), and delivery of scope
 * decisions and posture callbacks to the certification body.
 */
export function startAssessmentWorkers(deps: {
  db: Kysely<any>;
  queues: QueueContext;
  logger: Logger;
  keys: SigningKeyStore;
  issuer: string;
  audience: string;
  certificationBodyUrl: string;
  reconcileIntervalMs: number;
  retry: CappedBackoff;
  now?: () => Date;
  ledger?: Partial<LedgerSettings>;
}) {
  const outbox = new OutboxRepository(deps.db);
  const producer = createOutboxProducer('assessment.outbox', deps.queues, deps.logger);
  const evaluations = createEvaluationRepository(deps.db);
  const ledger = createLedger({ ...deps, settings: deps.ledger });
  const evaluation = createEvaluationService({
    ...deps,
    evaluations,
    ...(ledger.settings.enabled ? { checkpoint: async () => (await ledger.service.checkpoint()).checkpoint } : {}),
    inForce: createInForceScopes(createScopesRepository(deps.db)),
    toes: createToesRepository(deps.db),
    findings: createFindingsRepository(deps.db),
    outbox,
    producer,
  });
  const evaluator = startWorker('assessment.evaluate', deps.queues, (job) => evaluation.evaluate(job), {
    concurrency: 4,
    backoff: deps.retry,
  });
  const evaluateQueue = new TypedQueue('assessment.evaluate', deps.queues);
  const evaluationReconciler = startReconciler({
    findPending: (olderThan) => evaluations.pendingEvaluations(olderThan, 1_000),
    enqueue: async (items) => {
      await evaluateQueue.addBulk(
        items.map((payload) => ({ payload, options: evaluationJobOptions(payload.evidenceId) })),
      );
    },
    logger: deps.logger,
    intervalMs: deps.reconcileIntervalMs,
  });
  // Due re-evaluations live in Postgres (evaluation_schedule); the timer only hands them to the queue.
  const staleEvidenceScheduler = startReconciler({
    findPending: () => evaluation.dueToes(500),
    enqueue: async (toes) => {
      await evaluateQueue.addBulk(
        toes.map((toe) => ({
          payload: { toe },
          options: { jobId: `evaluate-due-${toe}`, removeOnComplete: true, removeOnFail: true },
        })),
      );
    },
    logger: deps.logger,
    intervalMs: deps.reconcileIntervalMs,
    settleMs: 0,
  });
  // Signs a ledger checkpoint every CHECKPOINT_INTERVAL when the log grew (a plain timer: no Redis needed).
  const checkpoints = startCheckpointTimer({
    ledger: ledger.service,
    logger: deps.logger,
    intervalMs: deps.ledger?.checkpointIntervalMs ?? 60_000,
  });
  const delivery = startOutboxDelivery({
    name: 'assessment.outbox',
    context: deps.queues,
    outbox,
    producer,
    logger: deps.logger,
    reconcileIntervalMs: deps.reconcileIntervalMs,
    retry: deps.retry,
  });
  return {
    evaluation,
    reconcileNow: async () =>
      (await evaluationReconciler.runOnce()) +
      (await staleEvidenceScheduler.runOnce()) +
      (await delivery.reconcileNow()),
    close: async () => {
      await checkpoints.stop();
      await staleEvidenceScheduler.stop();
      await evaluationReconciler.stop();
      await evaluator.close();
      await delivery.close();
      await evaluateQueue.close();
      await producer.close();
    },
  };
}
