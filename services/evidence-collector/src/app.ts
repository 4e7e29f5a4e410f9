import fastifyMultipart from '@fastify/multipart';
import { registerAuthentication } from '@cabc/auth';
import { registerOutboxRoutes } from '@cabc/outbox';
import { createServer, registerHealthRoutes, registerJwksRoute, registerMetrics, type Server } from '@cabc/http-kit';
import { infrastructureReadiness, registerInfrastructure, registerTracing } from '@cabc/service-kit';
import type { Collector } from './composition.ts';
import { registerEvidenceRoutes } from './modules/evidence/evidence.routes.ts';
import { registerKeyRoutes } from './modules/keys/keys.routes.ts';
import { registerLedgerWatchRoutes } from './modules/ledger-watch/ledger-watch.module.ts';
import { registerSchemaRoutes } from './modules/schemas/schemas.routes.ts';

/**
 * The collector's HTTP app over its composition: infrastructure plugins, routes, error handling. Never listens
 * (service.ts does; tests inject). Closing it closes the composition, then Redis and the pool.
 */
export async function buildApp(collector: Collector): Promise<Server> {
  const { config } = collector;
  const app = await createServer({
    title: 'CABC evidence collector',
    description:
      'Auditee side: ML pipelines submit evidence (unified JSON or their tools’ own files); each item is signed and ' +
      'delivered to the auditor without loss.',
    version: '0.1.0',
    logger: collector.logger,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    tls: config,
  });
  await registerTracing(app, 'evidence-collector');
  registerMetrics(app, collector.metrics.registry, { token: config.METRICS_TOKEN });
  await registerInfrastructure(app, collector.infra);
  app.addHook('onClose', collector.close);
  // Bodies arrive as bytes: a native tool file is kept and digested exactly as sent, and the unified JSON is parsed
  // by the adapters' safe parser (depth limit, no prototype keys). Multipart is streamed by its plugin.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(fastifyMultipart, { throwFileSizeLimit: true });
  // Every route declares who may call it (config.access); this lets each request through as its route declares.
  registerAuthentication(app, collector.verifyToken);

  registerHealthRoutes(app, infrastructureReadiness(collector.infra));
  registerJwksRoute(app, () => collector.keys.jwks());
  registerSchemaRoutes(app);
  registerEvidenceRoutes(app, collector.services.evidence, collector.access, {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    metrics: collector.metrics.evidence,
  });
  registerKeyRoutes(app, collector.keys, collector.access);
  registerLedgerWatchRoutes(app, { repository: collector.repositories.ledgerWatch });
  registerOutboxRoutes(app, {
    outbox: collector.repositories.outbox,
    producer: collector.producer,
    operate: collector.access.operate,
  });
  return app;
}
