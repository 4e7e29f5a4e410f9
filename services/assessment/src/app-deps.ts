import { tokenVerifierFromEnv } from '@cabc/auth';
import type { Infrastructure } from '@cabc/service-kit';
import type { AssessmentDeps } from './app.ts';
import type { AssessmentConfig } from './config.ts';
import { ledgerSettingsOf } from './modules/ledger/ledger.settings.ts';

/** The app's dependencies from the opened infrastructure and the config: one wiring for the process and the tests. */
export function appDepsFrom(
  infra: Infrastructure,
  config: AssessmentConfig,
  options: { now?: () => Date } = {},
): AssessmentDeps {
  return {
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    verifyToken: tokenVerifierFromEnv(config),
    issuer: config.AUDITOR_ISSUER,
    callbackAudience: config.CALLBACK_AUDIENCE,
    certificationBodyUrl: config.CERTIFICATION_BODY_URL,
    maxFutureSkewMs: config.MAX_FUTURE_SKEW,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    ledger: ledgerSettingsOf(config),
    databaseUrl: config.DATABASE_URL,
    ...(options.now ? { now: options.now } : {}),
  };
}
