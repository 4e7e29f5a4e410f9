import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SigningKeyStore } from '@cabc/key-store';
import { createOutboxProducer, OutboxRepository, startOutboxDelivery } from '@cabc/outbox';
import type { CappedBackoff, QueueContext } from '@cabc/service-kit';
import { createEvidenceRepository } from '../modules/evidence/evidence.repository.ts';
import { createEvidenceService } from '../modules/evidence/evidence.service.ts';
import { createCollectorKeys } from '../modules/keys/collector-keys.ts';
import { createMlflowClient, type MlflowCredentials } from '../modules/mlflow-pull/mlflow-client.ts';
import {
  createMlflowPuller,
  schedulePolling,
  type MlflowPullOptions,
  type PollSummary,
} from '../modules/mlflow-pull/mlflow-poller.ts';
import { createMlflowPullRepository } from '../modules/mlflow-pull/mlflow-pull.repository.ts';
import { startLedgerWatch, type LedgerWatchSettings } from '../modules/ledger-watch/ledger-watch.module.ts';

export interface MlflowPullConfig extends MlflowPullOptions {
  intervalMs: number;
  credentials: MlflowCredentials;
}

/**
 * The collector's background work: delivering signed evidence from the outbox to the assessment service, and (when
 * configured) pulling finished MLflow runs.
 */
export function startCollectorWorkers(deps: {
  db: Kysely<any>;
  queues: QueueContext;
  logger: Logger;
  reconcileIntervalMs: number;
  retry: CappedBackoff;
  keys?: SigningKeyStore;
  keyEncryptionSecret?: string;
  assessmentUrl?: string;
  mlflow?: MlflowPullConfig | undefined;
  /** The watcher over the auditor's evidence ledger; off when not given. */
  ledgerWatch?: LedgerWatchSettings | undefined;
}) {
  const producer = createOutboxProducer('collector.outbox', deps.queues, deps.logger);
  const ledgerWatch = deps.ledgerWatch
    ? startLedgerWatch({ db: deps.db, logger: deps.logger, settings: deps.ledgerWatch })
    : undefined;
  const delivery = startOutboxDelivery({
    name: 'collector.outbox',
    context: deps.queues,
    outbox: new OutboxRepository(deps.db),
    producer,
    logger: deps.logger,
    reconcileIntervalMs: deps.reconcileIntervalMs,
    retry: deps.retry,
  });

  let pollMlflow: (() => Promise<PollSummary>) | undefined;
  let polling: { stop: () => Promise<void> } | undefined;
  if (deps.mlflow && deps.keys && deps.keyEncryptionSecret && deps.assessmentUrl) {
    const logger = deps.logger.child({ worker: 'mlflow-pull' });
    const puller = createMlflowPuller({
      client: createMlflowClient({ trackingUri: deps.mlflow.trackingUri, credentials: deps.mlflow.credentials }),
      repository: createMlflowPullRepository(deps.db),
      evidence: createEvidenceService({
        evidence: createEvidenceRepository(deps.db),
        outbox: new OutboxRepository(deps.db),
        producer,
        keys: createCollectorKeys({ db: deps.db, store: deps.keys, secret: deps.keyEncryptionSecret }),
        assessmentUrl: deps.assessmentUrl,
      }),
      logger,
      options: deps.mlflow,
    });
    pollMlflow = puller.pollOnce;
    polling = schedulePolling(puller.pollOnce, deps.mlflow.intervalMs, logger);
    logger.info(
      {
        trackingUri: deps.mlflow.trackingUri,
        experiments: deps.mlflow.experimentIds,
        intervalMs: deps.mlflow.intervalMs,
      },
      'MLflow pull collection on',
    );
  }

  return {
    reconcileNow: delivery.reconcileNow,
    /** One MLflow pass now (tests, operators); undefined when pull collection is off. */
    pollMlflow,
    close: async () => {
      await polling?.stop();
      await ledgerWatch?.stop();
      await delivery.close();
      await producer.close();
    },
  };
}
