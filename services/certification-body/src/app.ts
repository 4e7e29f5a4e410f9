import { sql } from 'kysely';
import { registerAuthentication } from '@cabc/auth';
import { createServer, registerHealthRoutes, registerJwksRoute, type Server } from '@cabc/http-kit';
import type { CertificationBody } from './composition.ts';
import { registerAuditRoutes } from './modules/audit/audit.routes.ts';
import { registerCallbackRoutes } from './modules/callbacks/callbacks.routes.ts';
import { registerCertificateRoutes } from './modules/certificates/certificates.routes.ts';
import { registerCertificationRoutes } from './modules/certifications/certifications.routes.ts';
import { isPublicPath } from './modules/common/access.ts';
import { registerStatusRoutes } from './modules/status/status.routes.ts';
import { registerWebhookRoutes } from './modules/webhooks/webhooks.routes.ts';

export type { CertificationBodyDeps } from './composition.ts';

/** Routes and plugins of the certification body; never listens (tests inject it). */
export async function buildApp(body: CertificationBody): Promise<Server> {
  const app = await createServer({
    title: 'CABC certification body',
    description:
      'Acts on verified auditor callbacks (scope decisions, postures): issues, suspends, reinstates, revokes and expires signed ' +
      'certificates; answers anyone about their status; notifies subscribers by signed webhooks.',
    version: '0.2.0',
    logger: body.logger,
    bodyLimitBytes: body.config.BODY_LIMIT_BYTES,
  });
  registerAuthentication(app, body.verifyAccessToken, { publicPaths: isPublicPath });
  registerHealthRoutes(app, [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(body.db), true) },
    { name: 'redis', check: async () => (await body.queues.connection.ping()) === 'PONG' },
  ]);
  registerJwksRoute(app, () => body.keys.jwks());
  await registerCallbackRoutes(app, body.callbacks);
  registerCertificateRoutes(app, body);
  registerCertificationRoutes(app, body);
  await registerStatusRoutes(app, { status: body.status, limiter: body.statusLimiter });
  registerWebhookRoutes(app, body.webhookService);
  registerAuditRoutes(app, { audit: body.audit, received: body.received });
  app.addHook('onClose', async () => {
    await body.close();
  });
  return app;
}
