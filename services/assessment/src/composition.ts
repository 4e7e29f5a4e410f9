import { tokenVerifierFromEnv, type TokenVerifier } from '@cabc/auth';
import { registerEvidenceMetrics } from '@cabc/http-kit';
import { createOutboxProducer, OutboxRepository, registerOutboxMetrics } from '@cabc/outbox';
import { createMetricsRegistry, registerQueueMetrics, TypedQueue, type Infrastructure } from '@cabc/service-kit';
import type { AssessmentConfig } from './config.ts';
import { createAuditRepository } from './modules/audit/audit.repository.ts';
import { createPostureHeartbeat } from './modules/callbacks/posture-heartbeat.ts';
import { createHeartbeatRepository } from './modules/callbacks/posture-heartbeat.repository.ts';
import { createDryRunJobs } from './modules/dry-run/dry-run.jobs.ts';
import { createDryRunService } from './modules/dry-run/dry-run.service.ts';
import { createEvaluationRepository } from './modules/evaluation/evaluation.repository.ts';
import { createEvaluationService } from './modules/evaluation/evaluation.service.ts';
import { createEvidenceIntegrity } from './modules/evaluation/evidence-integrity.ts';
import { createInForceScopes } from './modules/evaluation/in-force-scope.ts';
import { createCollectorApprovals } from './modules/collector-approvals/collector-approvals.ts';
import { createCollectorTrust } from './modules/evidence/collector-trust.ts';
import { createEvidenceRepository } from './modules/evidence/evidence.repository.ts';
import { createEvidenceIngestService } from './modules/evidence/evidence.service.ts';
import { createTrustedKeyIndex } from './modules/evidence/trusted-key-index.ts';
import { createFindingsRepository } from './modules/findings/findings.repository.ts';
import { createFindingsService } from './modules/findings/findings.service.ts';
import { createIntegrityFindingsRepository } from './modules/findings/integrity-findings.repository.ts';
import { createLedger, ledgerSettingsOf, registerLedgerMetrics } from './modules/ledger/ledger.module.ts';
import { createAnomalyStates } from './modules/observations/anomaly-states.ts';
import { createObservationsRepository } from './modules/observations/observations.repository.ts';
import { createObservationsService } from './modules/observations/observations.service.ts';
import { createCertificationBodyCredential } from './modules/reporting/certification-body-credential.ts';
import { createReporting } from './modules/reporting/reporting.module.ts';
import { createScopeDecisionSender } from './modules/scopes/scope-decisions.ts';
import { createScopesRepository } from './modules/scopes/scopes.repository.ts';
import { createScopesService } from './modules/scopes/scopes.service.ts';
import { createToesRepository } from './modules/toes/toes.repository.ts';
import { createToesService } from './modules/toes/toes.service.ts';
import { evaluationJobOptions } from './workers/evaluation-job-options.ts';

export interface AssessmentOptions {
  /** The clock of time-dependent decisions (tests of scheduled behaviour control it). */
  now?: () => Date;
  /** Defaults to the bearer-token issuer of the configuration (AUTH_*). */
  verifyToken?: TokenVerifier;
}

/**
 * The one wiring root of the assessment service: every repository, producer and service is built here once, in
 * dependency order; the HTTP app (app.ts) and the workers (workers/) both take what this returns. `close` releases
 * what composing opened (queues, the live feed); the infrastructure is closed by the app's plugins.
 */
export function composeAssessment(infra: Infrastructure, config: AssessmentConfig, options: AssessmentOptions = {}) {
  const { db, logger, keys, queues } = infra;
  const now = options.now;
  const clock = now ? { now } : {};

  // Producers: one per queue, shared by the routes and the workers.
  const evaluateQueue = new TypedQueue('assessment.evaluate', queues);
  const dryRunQueue = new TypedQueue('assessment.dry-run', queues);
  const producer = createOutboxProducer('assessment.outbox', queues, logger);
  const enqueueEvaluation = async (payload: { toe: string; evidenceId?: string }, jobId: string) => {
    try {
      await evaluateQueue.add(
        payload,
        payload.evidenceId
          ? evaluationJobOptions(payload.evidenceId)
          : { jobId, removeOnComplete: true, removeOnFail: true },
      );
    } catch (error) {
      // A Redis outage is logged once by its connection; the evaluation reconciler enqueues from Postgres.
      const line = { ...payload, error: error instanceof Error ? error.message : String(error) };
      logger.debug(line, 'could not enqueue evaluation; the reconciler or scheduler will');
    }
  };

  // Repositories.
  const outbox = new OutboxRepository(db);
  const toes = createToesRepository(db);
  const scopes = createScopesRepository(db);
  const audit = createAuditRepository(db);
  const evaluations = createEvaluationRepository(db);
  const findings = createFindingsRepository(db);
  const observations = createObservationsRepository(db);
  const inForce = createInForceScopes(scopes);
  const keyIndex = createTrustedKeyIndex(db);
  const ledger = createLedger({ db, keys, issuer: config.AUDITOR_ISSUER, settings: ledgerSettingsOf(config) });
  const integrityFindings = createIntegrityFindingsRepository(db);
  const collectorTrust = createCollectorTrust({ toes, scopes });
  const integrity = createEvidenceIntegrity({
    ledger: ledger.settings.enabled
      ? { repository: ledger.repository, verifierKeys: async () => (await ledger.service.verifierKeys()).all }
      : undefined,
    collectorKeys: async (toe, keyids) => (await collectorTrust.forToe(toe, keyids))?.keys ?? new Map(),
    findings: integrityFindings,
    logger,
  });

  // Metrics (GET /metrics): per-module collectors on one registry.
  const registry = createMetricsRegistry('assessment');
  const metrics = {
    registry,
    evidence: registerEvidenceMetrics(registry),
    outbox: registerOutboxMetrics(registry, outbox),
    queues: registerQueueMetrics(registry, queues, ['assessment.evaluate', 'assessment.outbox']),
  };
  if (ledger.settings.enabled) registerLedgerMetrics(registry, ledger.repository);

  // Services.
  const toesService = createToesService({ toes, audit, scopes, lockToe: evaluations.lockToe });
  const scopesService = createScopesService({
    scopes,
    toes,
    audit,
    producer,
    lockToe: evaluations.lockToe,
    decisions: createScopeDecisionSender({
      outbox,
      issuer: config.AUDITOR_ISSUER,
      audience: config.CALLBACK_AUDIENCE,
      certificationBodyUrl: config.CERTIFICATION_BODY_URL,
    }),
    onApproved: (toeId) => enqueueEvaluation({ toe: toeId }, `evaluate-approval-${toeId}-${Date.now()}`),
    celCostLimit: config.CEL_COST_LIMIT,
    onStateChanged: () => keyIndex.invalidate(),
  });
  const evidence = createEvidenceIngestService({
    evidence: createEvidenceRepository(db, { ledger: ledger.appender }),
    trust: collectorTrust,
    keyIndex,
    keys,
    issuer: config.AUDITOR_ISSUER,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW,
    onAccepted: (accepted) => enqueueEvaluation({ toe: accepted.toe, evidenceId: accepted.id }, ''),
  });
  const findingsService = createFindingsService({
    findings,
    integrityFindings,
    toes,
    inForce,
    audit,
    lockToe: evaluations.lockToe,
    transaction: evaluations.transaction,
    onRecorded: (toeId) => enqueueEvaluation({ toe: toeId }, `evaluate-finding-${toeId}-${Date.now()}`),
    ...clock,
  });
  const observationsService = createObservationsService({
    observations,
    states: createAnomalyStates(observations, {
      snapshotEvery: config.ANOMALY_SNAPSHOT_EVERY,
      cacheSize: config.ANOMALY_STATE_CACHE,
    }),
    toes,
    audit,
    findings: findingsService,
    lockToe: evaluations.lockToe,
    transaction: evaluations.transaction,
    onDecided: (toeId) => enqueueEvaluation({ toe: toeId }, `evaluate-observation-${toeId}-${Date.now()}`),
    ...clock,
  });
  const dryRun = createDryRunService({ toes, scopes, inForce, evaluations, ...clock });
  const callbackTarget = {
    issuer: config.AUDITOR_ISSUER,
    audience: config.CALLBACK_AUDIENCE,
    certificationBodyUrl: config.CERTIFICATION_BODY_URL,
  };
  const checkpoint = ledger.settings.enabled
    ? async () => (await ledger.service.checkpoint()).checkpoint
    : undefined;
  const evaluation = createEvaluationService({
    evaluations,
    inForce,
    toes,
    findings,
    observations: observationsService,
    outbox,
    producer,
    integrity,
    ...callbackTarget,
    ...(checkpoint ? { checkpoint } : {}),
    ...clock,
  });
  const heartbeat = createPostureHeartbeat({
    heartbeats: createHeartbeatRepository(db),
    evaluations,
    inForce,
    outbox,
    producer,
    target: callbackTarget,
    checkpoint,
    intervalMs: config.POSTURE_HEARTBEAT_INTERVAL,
    ...clock,
  });
  const reporting = createReporting({
    db,
    logger,
    keys,
    certificationBodyUrl: config.CERTIFICATION_BODY_URL,
    certificationBody: createCertificationBodyCredential({
      keys,
      issuer: config.AUDITOR_ISSUER,
      audience: config.CERTIFICATION_BODY_AUDIENCE,
    }),
    toes,
    scopes,
    findings,
    evaluations,
    inForce,
    observations,
    databaseUrl: config.DATABASE_URL,
    now,
  });

  return {
    config,
    infra,
    logger,
    verifyToken: options.verifyToken ?? tokenVerifierFromEnv(config, logger),
    repositories: { outbox, toes, scopes, audit, evaluations, findings, observations, integrityFindings },
    queues: { evaluate: evaluateQueue, dryRun: dryRunQueue, outbox: producer },
    dryRunJobs: createDryRunJobs(dryRunQueue, { maxQueuedPerOrg: config.DRY_RUN_MAX_QUEUED_PER_ORG }),
    ledger,
    inForce,
    collectorApprovals: createCollectorApprovals({ db }),
    /** Which collector keys each ToE trusts, cached; whoever changes scopes outside the services invalidates it. */
    keyIndex,
    services: {
      toes: toesService,
      scopes: scopesService,
      evidence,
      findings: findingsService,
      observations: observationsService,
      dryRun,
      evaluation,
      heartbeat,
      ledger: ledger.service,
    },
    reporting,
    metrics,
    close: async () => {
      await metrics.queues.close();
      await reporting.close();
      await evaluateQueue.close();
      await dryRunQueue.close();
      await producer.close();
    },
  };
}

export type Assessment = ReturnType<typeof composeAssessment>;
