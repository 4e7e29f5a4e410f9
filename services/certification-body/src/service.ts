import { createJwtVerifier } from '@cabc/crypto';
import { listen, openInfrastructure, type RunningService } from '@cabc/runtime';
import { buildApp } from './app.ts';
import type { CertificationConfig } from './config.ts';
import { DEFAULT_DECISION_POLICY, type DecisionPolicy } from './domain/index.ts';
import { createCertificationRepository } from './modules/certifications/certification.repository.ts';
import { createCertificationService } from './modules/certifications/certification.service.ts';
import { startDeadlineScheduler } from './workers/deadline-scheduler.ts';

/** Opens the certification body's infrastructure, builds the app, starts its scheduler and listens. */
export async function startCertificationBody(
  config: CertificationConfig,
  options: { policy?: DecisionPolicy; now?: () => Date } = {},
): Promise<RunningService & { runDeadlines: () => Promise<number> }> {
  const infra = await openInfrastructure('certification-body', config);
  const certifications = createCertificationRepository(infra.db);
  const certification = createCertificationService({
    certifications,
    keys: infra.keys,
    policy: options.policy ?? DEFAULT_DECISION_POLICY,
    certificateIssuer: config.CERTIFICATE_ISSUER,
    ...(options.now ? { now: options.now } : {}),
  });
  const app = await buildApp({
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    verifyAuditorJwt: createJwtVerifier(config.AUDITOR_JWKS ? { jwks: config.AUDITOR_JWKS as never } : { jwksUrl: config.AUDITOR_JWKS_URL! }),
    auditorIssuer: config.AUDITOR_ISSUER,
    callbackAudience: config.CALLBACK_AUDIENCE,
    callbackMaxAgeMs: config.CALLBACK_MAX_AGE,
    certifications,
    certification,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  const scheduler = startDeadlineScheduler({ certification, logger: infra.logger, intervalMs: config.RECONCILE_INTERVAL });
  app.addHook('onClose', async () => {
    await scheduler.close();
    await infra.close();
  });
  return { ...(await listen(app, config.HOST, config.PORT)), runDeadlines: scheduler.runOnce };
}
