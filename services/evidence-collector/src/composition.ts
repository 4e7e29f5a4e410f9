import { tokenVerifierFromEnv, type TokenVerifier } from '@cabc/auth';
import { registerEvidenceMetrics } from '@cabc/http-kit';
import { createOutboxProducer, OutboxRepository, registerOutboxMetrics } from '@cabc/outbox';
import { createMetricsRegistry, registerQueueMetrics, type Infrastructure } from '@cabc/service-kit';
import type { CollectorConfig } from './config.ts';
import { createAccess } from './modules/access/access.ts';
import { createEvidenceRepository } from './modules/evidence/evidence.repository.ts';
import { createEvidenceService } from './modules/evidence/evidence.service.ts';
import { createCollectorKeys } from './modules/keys/collector-keys.ts';
import { createLedgerWatchRepository, ledgerWatchSettingsOf } from './modules/ledger-watch/ledger-watch.module.ts';
import type { MlflowCredentials } from './modules/mlflow-pull/mlflow-client.ts';
import type { MlflowPullOptions } from './modules/mlflow-pull/mlflow-poller.ts';
import { createMlflowPullRepository } from './modules/mlflow-pull/mlflow-pull.repository.ts';
import { createToeApprovals } from './modules/toe-approvals/toe-approvals.ts';

export interface MlflowPullConfig extends MlflowPullOptions {
  intervalMs: number;
  credentials: MlflowCredentials;
}

/** Pull collection settings from the configuration, or undefined when MLFLOW_TRACKING_URI is not set. */
export function mlflowPullConfig(config: CollectorConfig): MlflowPullConfig | undefined {
  if (!config.MLFLOW_TRACKING_URI || !config.MLFLOW_EXPERIMENT_IDS || !config.MLFLOW_TOE || !config.COLLECTOR_ORG)
    return undefined;
  return {
    trackingUri: config.MLFLOW_TRACKING_URI,
    experimentIds: config.MLFLOW_EXPERIMENT_IDS,
    toe: config.MLFLOW_TOE,
    model: config.MLFLOW_MODEL_DIGEST,
    lookbackMs: config.MLFLOW_LOOKBACK,
    intervalMs: config.MLFLOW_POLL_INTERVAL,
    submitter: { org: config.COLLECTOR_ORG, subject: 'mlflow-poller', role: 'pipeline' },
    credentials: {
      token: config.MLFLOW_TRACKING_TOKEN,
      username: config.MLFLOW_TRACKING_USERNAME,
      password: config.MLFLOW_TRACKING_PASSWORD,
    },
  };
}

export interface CollectorOptions {
  /** How long the active key id is trusted before the database is asked again (another replica may rotate). */
  keyRefreshMs?: number;
  /** Defaults to the bearer-token issuer of the configuration (AUTH_*). */
  verifyToken?: TokenVerifier;
}

/**
 * The one wiring root of the evidence collector: repositories, the outbox producer, the signing keys and the
 * services, built once; the HTTP app (app.ts) and the workers (workers/) both take what this returns. `close`
 * releases what composing opened (the producer's queue); the infrastructure is closed by the app's plugins.
 */
export function composeCollector(infra: Infrastructure, config: CollectorConfig, options: CollectorOptions = {}) {
  const { db, logger } = infra;
  const outbox = new OutboxRepository(db);
  const producer = createOutboxProducer('collector.outbox', infra.queues, logger);
  const registry = createMetricsRegistry('evidence-collector');
  const metrics = {
    registry,
    evidence: registerEvidenceMetrics(registry),
    outbox: registerOutboxMetrics(registry, outbox),
    queues: registerQueueMetrics(registry, infra.queues, ['collector.outbox']),
  };
  const keys = createCollectorKeys({
    db,
    store: infra.keys,
    secret: config.KEY_ENCRYPTION_SECRET,
    refreshMs: options.keyRefreshMs,
  });
  const approvals = createToeApprovals({
    assessmentUrl: config.ASSESSMENT_URL,
    keys,
    ttlMs: config.TOE_APPROVAL_CACHE_TTL,
    logger,
  });
  const evidence = createEvidenceService({
    evidence: createEvidenceRepository(db),
    outbox,
    producer,
    keys,
    approvals,
    assessmentUrl: config.ASSESSMENT_URL,
  });
  return {
    config,
    infra,
    logger,
    verifyToken: options.verifyToken ?? tokenVerifierFromEnv(config, logger),
    access: createAccess({ collectorOrg: config.COLLECTOR_ORG }),
    repositories: {
      outbox,
      ledgerWatch: createLedgerWatchRepository(db),
      mlflowPull: createMlflowPullRepository(db),
    },
    producer,
    keys,
    services: { evidence },
    mlflow: mlflowPullConfig(config),
    ledgerWatch: ledgerWatchSettingsOf(config),
    metrics,
    close: async () => {
      await metrics.queues.close();
      await producer.close();
    },
  };
}

export type Collector = ReturnType<typeof composeCollector>;
