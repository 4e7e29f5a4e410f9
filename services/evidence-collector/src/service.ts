import { listen, openInfrastructure, type RunningService } from '@cabc/service-kit';
import { buildApp } from './app.ts';
import { appDepsFrom } from './app-deps.ts';
import type { CollectorConfig } from './config.ts';
import { startCollectorWorkers, type MlflowPullConfig } from './workers/start-workers.ts';
import { ledgerWatchSettingsOf } from './modules/ledger-watch/ledger-watch.settings.ts';

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

export type RunningCollector = RunningService & {
  reconcileNow: () => Promise<number>;
  /** One MLflow pull pass now; undefined when pull collection is off. */
  pollMlflow: (() => Promise<{ collected: number; skipped: number; evidence: number }>) | undefined;
};

/** Opens the collector's infrastructure, builds the app, starts its workers and listens. */
export async function startCollector(config: CollectorConfig): Promise<RunningCollector> {
  const infra = await openInfrastructure('evidence-collector', config);
  const app = await buildApp(appDepsFrom(infra, config));
  const workers = startCollectorWorkers({
    ...infra,
    reconcileIntervalMs: config.RECONCILE_INTERVAL,
    retry: { baseMs: config.DELIVERY_RETRY_BASE_DELAY, maxMs: config.DELIVERY_RETRY_MAX_DELAY },
    keyEncryptionSecret: config.KEY_ENCRYPTION_SECRET,
    assessmentUrl: config.ASSESSMENT_URL,
    mlflow: mlflowPullConfig(config),
    ledgerWatch: ledgerWatchSettingsOf(config),
  });
  app.addHook('onClose', async () => {
    await workers.close();
    await infra.close();
  });
  return {
    ...(await listen(app, config.HOST, config.PORT)),
    reconcileNow: workers.reconcileNow,
    pollMlflow: workers.pollMlflow,
  };
}
