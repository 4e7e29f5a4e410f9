import { TrustedKeySet } from '@cabc/crypto';
import { listen, openInfrastructure, type RunningService } from '@cabc/runtime';
import { buildApp } from './app.ts';
import type { AssessmentConfig } from './config.ts';
import { startAssessmentWorkers } from './workers/start-workers.ts';

/** Opens the assessment service's infrastructure, builds the app, starts its workers and listens. */
export async function startAssessment(config: AssessmentConfig): Promise<RunningService & { reconcileNow: () => Promise<number> }> {
  const infra = await openInfrastructure('assessment', config);
  const trustedCollectorKeys = new TrustedKeySet(
    config.COLLECTOR_JWKS ? { jwks: config.COLLECTOR_JWKS } : { jwksUrl: config.COLLECTOR_JWKS_URL! },
  );
  const app = await buildApp({
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    trustedCollectorKeys,
    requirements: config.REQUIREMENTS,
    issuer: config.AUDITOR_ISSUER,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  const workers = startAssessmentWorkers({
    ...infra,
    requirements: config.REQUIREMENTS,
    issuer: config.AUDITOR_ISSUER,
    audience: config.CALLBACK_AUDIENCE,
    certificationBodyUrl: config.CERTIFICATION_BODY_URL,
    reconcileIntervalMs: config.RECONCILE_INTERVAL,
    retry: { baseMs: config.DELIVERY_RETRY_BASE_DELAY, maxMs: config.DELIVERY_RETRY_MAX_DELAY },
  });
  app.addHook('onClose', async () => {
    await workers.close();
    await infra.close();
  });
  return { ...(await listen(app, config.HOST, config.PORT)), reconcileNow: workers.reconcileNow };
}
