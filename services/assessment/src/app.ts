import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { registerAuthentication, type TokenVerifier } from '@cabc/auth';
import type { SigningKeyStore } from '@cabc/key-store';
import { createServer, isOperationsPath, registerHealthRoutes, registerJwksRoute, type Server } from '@cabc/http-kit';
import { createOutboxProducer, OutboxRepository } from '@cabc/outbox';
import { isRedisReady, TypedQueue, type QueueContext } from '@cabc/service-kit';
import { createAuditRepository } from './modules/audit/audit.repository.ts';
import { registerCatalogRoutes } from './modules/catalog/catalog.routes.ts';
import { registerDryRunRoutes } from './modules/dry-run/dry-run.routes.ts';
import { createDryRunService } from './modules/dry-run/dry-run.service.ts';
import { registerAuditRoutes } from './modules/audit/audit.routes.ts';
import { createEvaluationRepository } from './modules/evaluation/evaluation.repository.ts';
import { createInForceScopes } from './modules/evaluation/in-force-scope.ts';
import { createFindingsRepository } from './modules/findings/findings.repository.ts';
import { registerFindingRoutes } from './modules/findings/findings.routes.ts';
import { createFindingsService } from './modules/findings/findings.service.ts';
import { createCollectorTrust } from './modules/evidence/collector-trust.ts';
import { createEvidenceRepository } from './modules/evidence/evidence.repository.ts';
import { registerEvidenceRoutes } from './modules/evidence/evidence.routes.ts';
import { createEvidenceIngestService } from './modules/evidence/evidence.service.ts';
import {
  createLedger,
  isPublicLedgerPath,
  registerLedgerRoutes,
  type LedgerSettings,
} from './modules/ledger/ledger.module.ts';
import { registerPostureRoutes } from './modules/posture/posture.routes.ts';
import { registerReporting } from './modules/reporting/reporting.module.ts';
import { createScopeDecisionSender } from './modules/scopes/scope-decisions.ts';
import { registerScopeRoutes } from './modules/scopes/scopes.routes.ts';
import { createScopesRepository } from './modules/scopes/scopes.repository.ts';
import { createScopesService } from './modules/scopes/scopes.service.ts';
import { createToesRepository } from './modules/toes/toes.repository.ts';
import { registerToeRoutes } from './modules/toes/toes.routes.ts';
import { createToesService } from './modules/toes/toes.service.ts';
import { evaluationJobOptions } from './workers/evaluation-job-options.ts';

export interface AssessmentDeps {
  logger: Logger;
  db: Kysely<any>;
  queues: QueueContext;
  keys: SigningKeyStore;
  verifyToken: TokenVerifier;
  issuer: string;
  callbackAudience: string;
  certificationBodyUrl: string;
  maxFutureSkewMs: number;
  bodyLimitBytes: number;
  /** Evidence ledger settings (LEDGER_ENABLED, LEDGER_ORIGIN); on, with origin `<issuer>/ledger`, by default. */
  ledger?: Partial<LedgerSettings>;
  /** The clock of time-dependent decisions (tests of scheduled behaviour control it). */
  now?: () => Date;
  /** For LISTEN/NOTIFY of posture changes (live updates at once instead of polling every second). */
  databaseUrl?: string;
}

/** Paths answered without a bearer token: operations, public keys, and evidence (authenticated by its DSSE signature). */
const publicPath = (path: string) =>
  isOperationsPath(path) || path === '/v1/evidence' || path === '/v1/evidence/batch' || isPublicLedgerPath(path);

export async function buildApp(deps: AssessmentDeps): Promise<Server> {
  const app = await createServer({
    title: 'CABC assessment',
    description:
      'Auditor side: targets of evaluation and their scopes (drafted by the auditee, approved by the auditor), verified evidence, requirement evaluation, posture, audit trail.',
    version: '0.1.0',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  const evaluateQueue = new TypedQueue('assessment.evaluate', deps.queues);
  const producer = createOutboxProducer('assessment.outbox', deps.queues, deps.logger);
  app.addHook('onClose', async () => {
    await evaluateQueue.close();
    await producer.close();
  });
  const enqueueEvaluation = async (payload: { toe: string; evidenceId?: string }, jobId: string) => {
    try {
      await evaluateQueue.add(
        payload,
        payload.evidenceId
          ? evaluationJobOptions(payload.evidenceId)
          : { jobId, removeOnComplete: true, removeOnFail: true },
      );
    } catch (error) {
      app.log.warn({ err: error, ...payload }, 'could not enqueue evaluation; the reconciler or scheduler will');
    }
  };

  const toes = createToesRepository(deps.db);
  const scopes = createScopesRepository(deps.db);
  const audit = createAuditRepository(deps.db);
  const evaluations = createEvaluationRepository(deps.db);
  const inForce = createInForceScopes(scopes);
  const ledger = createLedger({ db: deps.db, keys: deps.keys, issuer: deps.issuer, settings: deps.ledger });

  registerHealthRoutes(app, [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(deps.db), true) },
    { name: 'redis', check: () => isRedisReady(deps.queues.connection) },
  ]);
  registerJwksRoute(app, () => deps.keys.jwks());
  registerAuthentication(app, deps.verifyToken, { publicPaths: publicPath });

  registerToeRoutes(app, createToesService({ toes, audit }));
  registerScopeRoutes(
    app,
    createScopesService({
      scopes,
      toes,
      audit,
      producer,
      lockToe: evaluations.lockToe,
      decisions: createScopeDecisionSender({
        keys: deps.keys,
        outbox: new OutboxRepository(deps.db),
        issuer: deps.issuer,
        audience: deps.callbackAudience,
        certificationBodyUrl: deps.certificationBodyUrl,
      }),
      onApproved: (toeId) => enqueueEvaluation({ toe: toeId }, `evaluate-approval-${toeId}-${Date.now()}`),
    }),
  );
  await registerEvidenceRoutes(
    app,
    createEvidenceIngestService({
      evidence: createEvidenceRepository(deps.db, { ledger: ledger.appender }),
      trust: createCollectorTrust({ toes, scopes }),
      keys: deps.keys,
      issuer: deps.issuer,
      maxFutureSkewMs: deps.maxFutureSkewMs,
      onAccepted: (evidence) => enqueueEvaluation({ toe: evidence.toe, evidenceId: evidence.id }, ''),
    }),
    toes,
  );
  registerPostureRoutes(app, { evaluations, inForce, toes });
  registerFindingRoutes(
    app,
    createFindingsService({
      findings: createFindingsRepository(deps.db),
      toes,
      inForce,
      audit,
      lockToe: evaluations.lockToe,
      transaction: evaluations.transaction,
      onRecorded: (toeId) => enqueueEvaluation({ toe: toeId }, `evaluate-finding-${toeId}-${Date.now()}`),
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
  registerAuditRoutes(app, audit);
  registerCatalogRoutes(app);
  registerDryRunRoutes(
    app,
    createDryRunService({ toes, scopes, inForce, evaluations, ...(deps.now ? { now: deps.now } : {}) }),
  );
  registerLedgerRoutes(app, ledger.service, { verifyToken: deps.verifyToken });
  await registerReporting(app, { ...deps, toes, evaluations, inForce });
  return app;
}
