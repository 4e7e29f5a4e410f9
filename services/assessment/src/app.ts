import { principalOf, registerAuthentication } from '@cabc/auth';
import { registerOutboxRoutes } from '@cabc/outbox';
import { createServer, registerHealthRoutes, registerJwksRoute, registerMetrics, type Server } from '@cabc/http-kit';
import { infrastructureReadiness, registerInfrastructure, registerTracing } from '@cabc/service-kit';
import type { Assessment } from './composition.ts';
import { registerAuditRoutes } from './modules/audit/audit.routes.ts';
import { allowedTo } from './modules/authorization/permissions.ts';
import { registerCatalogRoutes } from './modules/catalog/catalog.routes.ts';
import { registerCollectorApprovalRoutes } from './modules/collector-approvals/collector-approvals.routes.ts';
import { registerDryRunRoutes } from './modules/dry-run/dry-run.routes.ts';
import { registerEvidenceRoutes } from './modules/evidence/evidence.routes.ts';
import { registerFindingRoutes } from './modules/findings/findings.routes.ts';
import { registerLedgerRoutes } from './modules/ledger/ledger.module.ts';
import { registerObservationRoutes } from './modules/observations/observations.routes.ts';
import { registerPostureRoutes } from './modules/posture/posture.routes.ts';
import { registerOscalBundleRoutes, registerReportingRoutes } from './modules/reporting/reporting.module.ts';
import { registerScopeRoutes } from './modules/scopes/scopes.routes.ts';
import { registerToeRoutes } from './modules/toes/toes.routes.ts';

/**
 * The assessment service's HTTP app over its composition: infrastructure plugins, routes, error handling. Never
 * listens (service.ts does; tests inject). Closing it closes the composition, then Redis and the pool.
 */
export async function buildApp(assessment: Assessment): Promise<Server> {
  const { config, services, repositories } = assessment;
  const app = await createServer({
    title: 'CABC assessment',
    description:
      'Auditor side: targets of evaluation and their scopes (drafted by the auditee, approved by the auditor), ' +
      'verified evidence, requirement evaluation, posture, audit trail.',
    version: '0.1.0',
    logger: assessment.logger,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    tls: config,
  });
  await registerTracing(app, 'assessment');
  registerMetrics(app, assessment.metrics.registry, { token: config.METRICS_TOKEN });
  await registerInfrastructure(app, assessment.infra);
  app.addHook('onClose', assessment.close);
  // Every route declares who may call it (config.access); this lets each request through as its route declares.
  registerAuthentication(app, assessment.verifyToken);

  registerHealthRoutes(app, infrastructureReadiness(assessment.infra));
  registerJwksRoute(app, () => assessment.infra.keys.jwks());

  registerToeRoutes(app, services.toes);
  registerScopeRoutes(app, services.scopes);
  await registerEvidenceRoutes(app, services.evidence, repositories.toes, {
    metrics: assessment.metrics.evidence,
    // The producers' connection fails fast while Redis is down, and the limits then let requests through.
    redis: assessment.infra.queues.producer ?? assessment.infra.redis,
    prefix: config.QUEUE_PREFIX,
    limits: {
      perAddress: config.EVIDENCE_RATE_LIMIT_PER_ADDRESS,
      perToe: config.EVIDENCE_RATE_LIMIT_PER_TOE,
      windowMs: config.EVIDENCE_RATE_LIMIT_WINDOW,
      batchMax: config.EVIDENCE_BATCH_MAX,
      batchConcurrency: config.EVIDENCE_BATCH_CONCURRENCY,
    },
  });
  registerCollectorApprovalRoutes(app, assessment.collectorApprovals);
  registerPostureRoutes(app, {
    evaluations: repositories.evaluations,
    inForce: assessment.inForce,
    toes: repositories.toes,
  });
  registerFindingRoutes(app, services.findings);
  registerObservationRoutes(app, services.observations);
  registerAuditRoutes(app, repositories.audit);
  registerCatalogRoutes(app);
  registerDryRunRoutes(app, services.dryRun, assessment.dryRunJobs);
  registerLedgerRoutes(app, services.ledger);
  registerReportingRoutes(app, assessment.reporting);
  registerOscalBundleRoutes(app, assessment.reporting);
  registerOutboxRoutes(app, {
    outbox: repositories.outbox,
    producer: assessment.queues.outbox,
    operate: { config: allowedTo('outbox:operate') },
    // Callbacks are ordered per ToE: an auditor sees and redelivers those of its organization's ToEs only.
    visibleKeys: (request) => repositories.toes.idsInOrg(principalOf(request).org),
  });
  return app;
}
