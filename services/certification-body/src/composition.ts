import { tokenVerifierFromEnv, type TokenVerifier, type TrustedIssuer } from '@cabc/auth';
import { createMetricsRegistry, registerQueueMetrics, type Infrastructure } from '@cabc/service-kit';
import { createJwtVerifier, type JwtVerifier } from '@cabc/crypto';
import { auditorLedgerUrlOf, defaultPolicyFrom, policyLimitsFrom, type CertificationConfig } from './config.ts';
import type { DecisionPolicy } from './domain/index.ts';
import { createAuditRepository } from './modules/audit/audit.repository.ts';
import { createCallbacksService } from './modules/callbacks/callbacks.service.ts';
import { createReceivedCallbacksRepository } from './modules/callbacks/received-callbacks.repository.ts';
import { createCertificationRepository } from './modules/certifications/certification.repository.ts';
import { createCertificationService } from './modules/certifications/certification.service.ts';
import { createScopeDecisionsRepository } from './modules/certifications/scope-decisions.repository.ts';
import { createTransactionRunner } from './modules/common/unit-of-work.ts';
import { createAuditorCheckpointsRepository } from './modules/ledger-check/auditor-checkpoints.repository.ts';
import { createAuditorLedgerClient } from './modules/ledger-check/auditor-ledger.client.ts';
import { createCheckpointCheck } from './modules/ledger-check/checkpoint-check.ts';
import { registerCertificationMetrics } from './modules/metrics/certification-metrics.ts';
import { createStatusService } from './modules/status/status.service.ts';
import { createTokenBucket } from './modules/status/token-bucket.ts';
import { createWebhookDelivery, createWebhookFanout } from './modules/webhooks/webhook-delivery.ts';
import { createWebhooksRepository } from './modules/webhooks/webhooks.repository.ts';
import { createWebhooksService } from './modules/webhooks/webhooks.service.ts';
import { createDeliveryScheduler } from './workers/webhook-worker.ts';

/**
 * The auditor's assessment service reads certificates with its own credential (docs/authorization.md): tokens it
 * signs with the key the certification body already trusts for callbacks, role `auditor` only.
 */
function auditorService(config: CertificationConfig): TrustedIssuer {
  return {
    issuer: config.AUDITOR_ISSUER,
    party: 'auditor (its assessment service)',
    ...(config.AUDITOR_JWKS
      ? { jwks: { keys: config.AUDITOR_JWKS.keys.map((key) => ({ kty: '', ...key })) } }
      : { jwksUri: config.AUDITOR_JWKS_URL! }),
    orgs: ['*'],
    roles: ['auditor'],
  };
}

export interface CertificationBodyOptions {
  /** The clock every decision reads (tests advance it); defaults to the system clock. */
  now?: () => Date;
  /** The policy new certifications start with; defaults to the one the configuration describes. */
  policy?: DecisionPolicy;
  /** Defaults to the auditor keys of the configuration (AUDITOR_JWKS / AUDITOR_JWKS_URL). */
  verifyAuditorJwt?: JwtVerifier;
  /** Defaults to the bearer-token issuer of the configuration (AUTH_*). */
  verifyAccessToken?: TokenVerifier;
}

/**
 * The one wiring root of the certification body: repositories, the webhook delivery scheduler and the services,
 * built once; the HTTP app (app.ts) and the workers (workers/) both take what this returns. `close` releases what
 * composing opened (the scheduler's queue); the infrastructure is closed by the app's plugins.
 */
export function composeCertificationBody(
  infra: Infrastructure,
  config: CertificationConfig,
  options: CertificationBodyOptions = {},
) {
  const { db, logger } = infra;
  const now = options.now ?? (() => new Date());
  const runInTransaction = createTransactionRunner(db, logger);
  const certifications = createCertificationRepository(db);
  const scopeDecisions = createScopeDecisionsRepository(db);
  const audit = createAuditRepository(db);
  const received = createReceivedCallbacksRepository(db, now);
  const webhooks = createWebhooksRepository(db);
  const auditorCheckpoints = createAuditorCheckpointsRepository(db);
  const auditorLedgerUrl = auditorLedgerUrlOf(config);
  const scheduler = createDeliveryScheduler(infra.queues, logger);
  const urlPolicy = {
    allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK,
    allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
  };
  const retry = {
    baseMs: config.WEBHOOK_RETRY_BASE_DELAY,
    maxMs: config.WEBHOOK_RETRY_MAX_DELAY,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
  };
  const publicBaseUrl = config.PUBLIC_BASE_URL;
  const registry = createMetricsRegistry('certification-body');
  const metrics = {
    registry,
    certification: registerCertificationMetrics(registry, db),
    queues: registerQueueMetrics(registry, infra.queues, ['certification.webhooks']),
  };

  const certification = createCertificationService({
    certifications,
    scopeDecisions,
    audit,
    keys: infra.keys,
    policy: options.policy ?? defaultPolicyFrom(config),
    policyLimits: policyLimitsFrom(config),
    certificateIssuer: config.CERTIFICATE_ISSUER,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    runInTransaction,
    onTransition: createWebhookFanout({
      webhooks,
      scheduler,
      maxAttempts: retry.maxAttempts,
      ...(publicBaseUrl ? { publicBaseUrl } : {}),
    }),
    now,
  });
  const callbacks = createCallbacksService({
    verify:
      options.verifyAuditorJwt ??
      createJwtVerifier(
        config.AUDITOR_JWKS ? { jwks: config.AUDITOR_JWKS as never } : { jwksUrl: config.AUDITOR_JWKS_URL! },
        {
          // A key in the auditor's set that no trusted key announced (docs/keys.md): refused, and said once.
          onRefusedKey: (kid, reason) =>
            logger.error({ auditorKeyRefused: { kid, reason } }, `auditor key ${kid} refused: ${reason}`),
        },
      ),
    audience: config.CALLBACK_AUDIENCE,
    auditorIssuer: config.AUDITOR_ISSUER,
    maxAgeMs: config.CALLBACK_MAX_AGE,
    clockToleranceMs: config.CALLBACK_CLOCK_TOLERANCE,
    checkLedger: auditorLedgerUrl
      ? createCheckpointCheck({
          client: createAuditorLedgerClient(auditorLedgerUrl),
          checkpoints: auditorCheckpoints,
          logger,
          verifierKeys: config.AUDITOR_LEDGER_VERIFIER_KEY ? [config.AUDITOR_LEDGER_VERIFIER_KEY] : undefined,
        })
      : undefined,
    received,
    certification,
    runInTransaction,
  });
  const status = createStatusService({
    certifications,
    keys: infra.keys,
    issuer: config.CERTIFICATE_ISSUER,
    maxAgeMs: config.STATUS_MAX_AGE,
    now,
  });
  const webhookService = createWebhooksService({
    webhooks,
    audit,
    runInTransaction,
    scheduler,
    operatorSecret: config.WEBHOOK_ENCRYPTION_SECRET ?? config.KEY_ENCRYPTION_SECRET,
    urlPolicy,
    maxAttempts: retry.maxAttempts,
    maxSubscriptionsPerOrg: config.WEBHOOK_MAX_SUBSCRIPTIONS_PER_ORG,
    now,
  });
  const delivery = createWebhookDelivery({
    webhooks,
    audit,
    runInTransaction,
    scheduler,
    operatorSecret: config.WEBHOOK_ENCRYPTION_SECRET ?? config.KEY_ENCRYPTION_SECRET,
    urlPolicy,
    retry,
    timeoutMs: config.WEBHOOK_TIMEOUT,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER,
    logger,
    now,
    onAttempt: (outcome, delivered) => metrics.certification.webhookAttempt(outcome, delivered?.createdAt),
  });

  return {
    config,
    infra,
    logger,
    now,
    verifyAccessToken: options.verifyAccessToken ?? tokenVerifierFromEnv(config, logger, [auditorService(config)]),
    statusLimiter: createTokenBucket({ perMinute: config.STATUS_RATE_LIMIT_PER_MINUTE }),
    repositories: { certifications, scopeDecisions, audit, received, webhooks, auditorCheckpoints },
    scheduler,
    services: { certification, callbacks, status, webhooks: webhookService, delivery },
    metrics,
    /** Releases what composing opened (the queues); the infrastructure is closed by the app's plugins. */
    close: async () => {
      await metrics.queues.close();
      await scheduler.close();
    },
  };
}

export type CertificationBody = ReturnType<typeof composeCertificationBody>;
