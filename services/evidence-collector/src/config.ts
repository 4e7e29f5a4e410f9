import { z } from 'zod';
import { envDuration, parseConfig, serviceEnvSchema } from '@cabc/service-kit';
import { authEnvShape, hasTokenIssuer, missingTokenIssuerMessage } from '@cabc/auth';
import { parseSubjectReference } from './modules/evidence/subject-reference.ts';
import { ledgerWatchEnvShape } from './modules/ledger-watch/ledger-watch.settings.ts';

const orgId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'an organization id: lowercase letters, digits, . _ -');

export const collectorEnvSchema = serviceEnvSchema(8081)
  .extend(authEnvShape('collector'))
  .extend(ledgerWatchEnvShape)
  .extend({
    /** Base URL of the auditor's assessment service, where signed evidence is delivered. */
    ASSESSMENT_URL: z.url({ protocol: /^https?$/ }),
    /**
     * How long the list of ToEs the assessment approved this collector's keys for is trusted; a ToE not on it is
     * asked about again at most once a second, so a newly approved ToE is accepted at once.
     */
    TOE_APPROVAL_CACHE_TTL: envDuration('30s'),
    /**
     * The organization that operates this collector (the auditee). When set, only its tokens may push evidence, and
     * only its admins may manage the signing key; without it key management is disabled.
     */
    COLLECTOR_ORG: orgId.optional(),
    /** Pull collection from an MLflow tracking server; off unless MLFLOW_TRACKING_URI is set. */
    MLFLOW_TRACKING_URI: z.url({ protocol: /^https?$/ }).optional(),
    /** Comma-separated experiment ids to poll. */
    MLFLOW_EXPERIMENT_IDS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id.length > 0),
      )
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'experiment ids: letters, digits, _ -')).min(1))
      .optional(),
    /** The target of evaluation the pulled runs are evidence for. */
    MLFLOW_TOE: z.string().min(1).max(256).optional(),
    /** The model the runs are about, `name@sha256:<hex>`; a run's `cabc.subject` tag overrides it. */
    MLFLOW_MODEL_DIGEST: z
      .string()
      .transform((value, ctx) => {
        const parsed = parseSubjectReference(value);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      })
      .optional(),
    MLFLOW_POLL_INTERVAL: envDuration('60s'),
    /** Finished runs are searched from the watermark minus this, so runs that finished late are still seen. */
    MLFLOW_LOOKBACK: envDuration('24h'),
    /** Credentials of the tracking server, as the MLflow client names them (token, or user and password). */
    MLFLOW_TRACKING_TOKEN: z.string().min(1).optional(),
    MLFLOW_TRACKING_USERNAME: z.string().min(1).optional(),
    MLFLOW_TRACKING_PASSWORD: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (!hasTokenIssuer(env)) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: missingTokenIssuerMessage });
    }
    if (env.MLFLOW_TRACKING_URI) {
      for (const name of ['MLFLOW_EXPERIMENT_IDS', 'MLFLOW_TOE', 'COLLECTOR_ORG'] as const) {
        if (!env[name])
          ctx.addIssue({ code: 'custom', path: [name], message: 'required when MLFLOW_TRACKING_URI is set (not set)' });
      }
    }
  });

export type CollectorConfig = z.output<typeof collectorEnvSchema>;

export function loadCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  return parseConfig('evidence-collector', collectorEnvSchema, env);
}
