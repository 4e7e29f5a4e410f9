import { z } from 'zod';
import { authEnvShape, hasTokenIssuer, missingTokenIssuerMessage } from '@cabc/auth';
import { DEFAULT_CEL_COST_LIMIT } from '@cabc/rules';
import { envDuration, parseConfig, serviceEnvSchema } from '@cabc/service-kit';
import { ledgerEnvShape } from './modules/ledger/ledger.settings.ts';

export const assessmentEnvSchema = serviceEnvSchema(8082)
  .extend(authEnvShape('assessment'))
  .extend(ledgerEnvShape)
  .extend({
    /** Base URL of the certification body, where scope decisions and posture callbacks are delivered. */
    CERTIFICATION_BODY_URL: z.url({ protocol: /^https?$/ }),
    /** Evidence observed further in the future than this is refused (clock skew allowance). */
    MAX_FUTURE_SKEW: envDuration('5m'),
    AUDITOR_ISSUER: z.string().min(1).default('cabc-assessment'),
    CALLBACK_AUDIENCE: z.string().min(1).default('certification-body'),
    /**
     * How often the posture of every ToE with a scope in force is re-stated to the certification body (a signed
     * `posture.restated` callback) when nothing else was sent; 0 turns the heartbeat off. The certification body's
     * CERTIFICATION_ASSESSMENT_SILENT_AFTER should be a few of these.
     */
    POSTURE_HEARTBEAT_INTERVAL: envDuration('1h'),
    /** The certification body's token audience (its AUTH_AUDIENCE): of this service's own credential there. */
    CERTIFICATION_BODY_AUDIENCE: z.string().min(1).default('cabc-certification-body'),
    /** The anomaly detectors' state of a ToE is stored after this many new evidence (and replayed from there). */
    ANOMALY_SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(10_000).default(50),
    /** ToE detector states a worker keeps in memory between evaluations. */
    ANOMALY_STATE_CACHE: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
    /** Requests per client address and window at POST /v1/evidence and /v1/evidence/batch (docs/operations.md). */
    EVIDENCE_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(20_000),
    /** Envelopes per ToE and window (each envelope of a batch counts). */
    EVIDENCE_RATE_LIMIT_PER_TOE: z.coerce.number().int().positive().default(20_000),
    EVIDENCE_RATE_LIMIT_WINDOW: envDuration('1m'),
    /** Envelopes in one POST /v1/evidence/batch; more is 413. */
    EVIDENCE_BATCH_MAX: z.coerce.number().int().positive().default(500),
    /** Envelopes of one batch verified and stored at the same time. */
    EVIDENCE_BATCH_CONCURRENCY: z.coerce.number().int().positive().default(16),
    /** A dry run still running after this fails (docs/operations.md#limits). */
    DRY_RUN_TIME_BUDGET: envDuration('20s'),
    /** Dry runs one organization may have queued or running at once; more is 429 (docs/operations.md#limits). */
    DRY_RUN_MAX_QUEUED_PER_ORG: z.coerce.number().int().positive().max(1_000).default(4),
    /** Dry runs one process computes at the same time. */
    DRY_RUN_CONCURRENCY: z.coerce.number().int().positive().default(1),
    /** A CEL rule whose static cost estimate is above this is refused when its scope is stored (docs/operations.md). */
    CEL_COST_LIMIT: z.coerce.number().int().positive().default(DEFAULT_CEL_COST_LIMIT),
  })
  .refine(hasTokenIssuer, {
    message: missingTokenIssuerMessage,
    path: ['AUTH_JWKS_URL'],
    // Checked even when other variables fail, so that one error message names everything to fix.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });

export type AssessmentConfig = z.output<typeof assessmentEnvSchema>;

export function loadAssessmentConfig(env: Record<string, string | undefined> = process.env): AssessmentConfig {
  return parseConfig('assessment', assessmentEnvSchema, env);
}
