import { z } from 'zod';
import { envDuration, envJson, envJwks, parseConfig, serviceEnvSchema } from '@cabc/config';
import { requirementsSchema } from './modules/evaluation/requirements.ts';

export const assessmentEnvSchema = serviceEnvSchema(8082)
  .extend({
    /** Base URL of the certification body, where posture callbacks are delivered. */
    CERTIFICATION_BODY_URL: z.url({ protocol: /^https?$/ }),
    /** Collector keys allowed to sign evidence: a JWKS URL, or the JWKS itself as JSON. */
    COLLECTOR_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    COLLECTOR_JWKS: envJwks().optional(),
    /** Requirements evaluated for every ToE (JSON array); until scopes are approved per ToE. */
    REQUIREMENTS: envJson(requirementsSchema).default([
      {
        id: 'REQ-ACCURACY',
        title: 'Accuracy at least 0.9',
        critical: true,
        rule: { type: 'threshold', selector: { kind: 'performance', metric: 'accuracy' }, operator: '>=', target: 0.9 },
      },
    ]),
    /** Evidence observed further in the future than this is refused (clock skew allowance). */
    MAX_FUTURE_SKEW: envDuration('5m'),
    AUDITOR_ISSUER: z.string().min(1).default('cabc-assessment'),
    CALLBACK_AUDIENCE: z.string().min(1).default('certification-body'),
  })
  .refine((env) => env.COLLECTOR_JWKS_URL || env.COLLECTOR_JWKS, {
    message: 'set COLLECTOR_JWKS_URL or COLLECTOR_JWKS (the collector keys allowed to sign evidence)',
    path: ['COLLECTOR_JWKS_URL'],
    // Checked even when other variables fail, so that one error message names everything to fix.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });

export type AssessmentConfig = z.output<typeof assessmentEnvSchema>;

export function loadAssessmentConfig(env: Record<string, string | undefined> = process.env): AssessmentConfig {
  return parseConfig('assessment', assessmentEnvSchema, env);
}
