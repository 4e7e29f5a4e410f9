import { z } from 'zod';
import { envDuration, envJwks, parseConfig, serviceEnvSchema } from '@cabc/config';

export const certificationEnvSchema = serviceEnvSchema(8083)
  .extend({
    /** The auditor's keys, which sign assessment callbacks: a JWKS URL, or the JWKS itself as JSON. */
    AUDITOR_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUDITOR_JWKS: envJwks().optional(),
    /** The `iss` the auditor's callbacks must carry. */
    AUDITOR_ISSUER: z.string().min(1).default('cabc-assessment'),
    /** The `aud` the auditor's callbacks must carry: this certification body. */
    CALLBACK_AUDIENCE: z.string().min(1).default('certification-body'),
    /** Oldest callback accepted: the auditor's outbox may retry for a long time. */
    CALLBACK_MAX_AGE: envDuration('7d'),
    CERTIFICATE_ISSUER: z.string().min(1).default('cabc-certification-body'),
    CERTIFICATE_VALIDITY: envDuration('365d'),
  })
  .refine((env) => env.AUDITOR_JWKS_URL || env.AUDITOR_JWKS, {
    message: 'set AUDITOR_JWKS_URL or AUDITOR_JWKS (the auditor keys that sign callbacks)',
    path: ['AUDITOR_JWKS_URL'],
    // Checked even when other variables fail, so that one error message names everything to fix.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });

export type CertificationConfig = z.output<typeof certificationEnvSchema>;

export function loadCertificationConfig(env: Record<string, string | undefined> = process.env): CertificationConfig {
  return parseConfig('certification-body', certificationEnvSchema, env);
}
