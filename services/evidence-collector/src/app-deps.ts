import { tokenVerifierFromEnv } from '@cabc/auth';
import type { Infrastructure } from '@cabc/service-kit';
import type { CollectorDeps } from './app.ts';
import type { CollectorConfig } from './config.ts';

/** The app's dependencies from the opened infrastructure and the config: one wiring for the process and the tests. */
export function appDepsFrom(infra: Infrastructure, config: CollectorConfig): CollectorDeps {
  return {
    logger: infra.logger,
    db: infra.db,
    queues: infra.queues,
    keys: infra.keys,
    keyEncryptionSecret: config.KEY_ENCRYPTION_SECRET,
    assessmentUrl: config.ASSESSMENT_URL,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    verifyToken: tokenVerifierFromEnv(config),
    collectorOrg: config.COLLECTOR_ORG,
  };
}
