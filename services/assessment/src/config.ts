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
    /**
     * How often the posture of every ToE with a scope in force is re-stated to the certification body (a signed
     * `posture.restated` callback) when nothing else was sent; 0 turns the heartbeat off. The certification body's
     * CERTIFICATION_ASSESSMENT_SILENT_AFTER should be a few of these.
     */
    POSTURE_HEARTBEAT_INTERVAL: envDuration('1h'),
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
