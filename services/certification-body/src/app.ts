import { registerAuthentication } from '@cabc/auth';
import { createServer, registerHealthRoutes, registerJwksRoute, registerMetrics, type Server } from '@cabc/http-kit';
import { infrastructureReadiness, registerInfrastructure, registerTracing } from '@cabc/service-kit';
import type { CertificationBody } from './composition.ts';
import { registerAuditRoutes } from './modules/audit/audit.routes.ts';
import { registerCallbackRoutes } from './modules/callbacks/callbacks.routes.ts';
import { registerCertificateRoutes } from './modules/certificates/certificates.routes.ts';
import { registerCertificationRoutes } from './modules/certifications/certifications.routes.ts';
import { registerLedgerAlertRoutes } from './modules/ledger-check/ledger-alerts.routes.ts';
import { registerStatusRoutes } from './modules/status/status.routes.ts';
import { registerWebhookRoutes } from './modules/webhooks/webhooks.routes.ts';

/**
 * The certification body's HTTP app over its composition: infrastructure plugins, routes, error handling. Never
 * listens (service.ts does; tests inject). Closing it closes the composition, then Redis and the pool.
 */
export async function buildApp(body: CertificationBody): Promise<Server> {
  const { repositories, services } = body;
  const app = await createServer({
    title: 'CABC certification body',
    description:
      'Acts on verified auditor callbacks (scope decisions, postures): issues, suspends, reinstates, revokes and ' +
      'expires signed certificates; answers anyone about their status; notifies subscribers by signed webhooks.',
    version: '0.2.0',
    logger: body.logger,
    bodyLimitBytes: body.config.BODY_LIMIT_BYTES,
    tls: body.config,
  });
  await registerTracing(app, 'certification-body');
  registerMetrics(app, body.metrics.registry, { token: body.config.METRICS_TOKEN });
  await registerInfrastructure(app, body.infra);
  app.addHook('onClose', body.close);
  // Every route declares who may call it (config.access); this lets each request through as its route declares.
  registerAuthentication(app, body.verifyAccessToken);

  registerHealthRoutes(app, infrastructureReadiness(body.infra));
  registerJwksRoute(app, () => body.infra.keys.jwks());
  await registerCallbackRoutes(app, services.callbacks);
  registerCertificateRoutes(app, {
    certifications: repositories.certifications,
    certification: services.certification,
  });
  registerCertificationRoutes(app, {
    certifications: repositories.certifications,
    certification: services.certification,
  });
  await registerStatusRoutes(app, { status: services.status, limiter: body.statusLimiter });
  registerWebhookRoutes(app, services.webhooks);
  registerAuditRoutes(app, { audit: repositories.audit, received: repositories.received });
  registerLedgerAlertRoutes(app, { checkpoints: repositories.auditorCheckpoints });
  return app;
}
