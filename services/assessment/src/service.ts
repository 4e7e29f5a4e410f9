import { listen, openInfrastructure, type RunningService } from '@cabc/service-kit';
import { buildApp } from './app.ts';
import { appDepsFrom } from './app-deps.ts';
import { ledgerSettingsOf } from './modules/ledger/ledger.settings.ts';
import type { AssessmentConfig } from './config.ts';
import { startAssessmentWorkers } from './workers/start-workers.ts';

/** Opens the assessment service's infrastructure, builds the app, starts its workers and listens. */
export async function startAssessment(
  config: AssessmentConfig,
  options: { now?: () => Date } = {},
): Promise<RunningService & { reconcileNow: () => Promise<number> }> {
  const infra = await openInfrastructure('assessment', config);
  const app = await buildApp(appDepsFrom(infra, config, options));
  const workers = startAssessmentWorkers({
    ...infra,
    issuer: config.AUDITOR_ISSUER,
    audience: config.CALLBACK_AUDIENCE,
    certificationBodyUrl: config.CERTIFICATION_BODY_URL,
    reconcileIntervalMs: config.RECONCILE_INTERVAL,
    retry: { baseMs: config.DELIVERY_RETRY_BASE_DELAY, maxMs: config.DELIVERY_RETRY_MAX_DELAY },
    ledger: ledgerSettingsOf(config),
    ...(options.now ? { now: options.now } : {}),
  });
  app.addHook('onClose', async () => {
    await workers.close();
    await infra.close();
  });
  return { ...(await listen(app, config.HOST, config.PORT)), reconcileNow: workers.reconcileNow };
}
