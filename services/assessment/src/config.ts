import { z } from 'zod';
import { authEnvShape, hasTokenIssuer, missingTokenIssuerMessage } from '@cabc/auth';
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
