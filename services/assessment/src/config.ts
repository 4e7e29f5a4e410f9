import { z } from 'zod';
import { authEnvSchema } from '@cabc/auth';
import { envDuration, parseConfig, serviceEnvSchema } from '@cabc/service-kit';
import { ledgerEnvShape } from './modules/ledger/ledger.settings.ts';

export const assessmentEnvSchema = serviceEnvSchema(8082)
  .extend(authEnvSchema.shape)
  .extend(ledgerEnvShape)
  .extend({
    /** Base URL of the certification body, where scope decisions and posture callbacks are delivered. */
    CERTIFICATION_BODY_URL: z.url({ protocol: /^https?$/ }),
    /** Evidence observed further in the future than this is refused (clock skew allowance). */
    MAX_FUTURE_SKEW: envDuration('5m'),
    AUDITOR_ISSUER: z.string().min(1).default('cabc-assessment'),
    CALLBACK_AUDIENCE: z.string().min(1).default('certification-body'),
    /** The anomaly detectors' state of a ToE is stored after this many new evidence (and replayed from there). */
    ANOMALY_SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(10_000).default(50),
    /** ToE detector states a worker keeps in memory between evaluations. */
    ANOMALY_STATE_CACHE: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
  })
  .refine((env) => env.AUTH_JWKS_URL || env.AUTH_JWKS, {
    message: 'set AUTH_JWKS_URL or AUTH_JWKS (the keys of the bearer-token issuer)',
    path: ['AUTH_JWKS_URL'],
    // Checked even when other variables fail, so that one error message names everything to fix.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });

export type AssessmentConfig = z.output<typeof assessmentEnvSchema>;

export function loadAssessmentConfig(env: Record<string, string | undefined> = process.env): AssessmentConfig {
  return parseConfig('assessment', assessmentEnvSchema, env);
}
