import { z } from 'zod';
import { authEnvShape, hasTokenIssuer, missingTokenIssuerMessage } from '@cabc/auth';
import { envBoolean, envDuration, envJwks, parseConfig, serviceEnvSchema } from '@cabc/service-kit';
import { decisionPolicySchema, parseDecisionPolicy, type DecisionPolicy, type PolicyLimits } from './domain/index.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Cross-variable checks run even when other variables failed (all problems at once), but not on their own bad input. */
const unlessFailing =
  (...variables: string[]) =>
  (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) =>
    !payload.issues.some((issue) => variables.includes(String(issue.path?.[0])));

export const certificationEnvSchema = serviceEnvSchema(8083)
  .extend(authEnvShape('certification-body'))
  .extend({
    /** The auditor's keys, which sign assessment callbacks: a JWKS URL, or the JWKS itself as JSON. */
    AUDITOR_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    AUDITOR_JWKS: envJwks().optional(),
    /**
     * The assessment service's public ledger API (its base URL), against which each posture callback's checkpoint is
     * cross-checked (docs/verification.md); default: beside AUDITOR_JWKS_URL. Without either, no cross-check.
     */
    AUDITOR_LEDGER_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Turns the cross-check of the auditor's ledger off (e.g. an auditor running without a ledger). */
    AUDITOR_LEDGER_CHECK: envBoolean(true),
    /** The auditor's note verifier key, pinned out of band; without it the keys the auditor publishes are used. */
    AUDITOR_LEDGER_VERIFIER_KEY: z
      .string()
      .regex(
        /^[^+\s]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/]+=*$/,
        'a note verifier key <name>+<8 hex digit key id>+<base64 key>',
      )
      .optional(),
    /** The `iss` the auditor's callbacks must carry. */
    AUDITOR_ISSUER: z.string().min(1).default('cabc-assessment'),
    /** The `aud` the auditor's callbacks must carry: this certification body. */
    CALLBACK_AUDIENCE: z.string().min(1).default('certification-body'),
    /** Oldest callback accepted: the auditor's outbox may retry for a long time. */
    CALLBACK_MAX_AGE: envDuration('7d'),
    /**
     * Clock difference tolerated between the auditor and this service on a callback's iat. A callback outside the
     * window is refused with 503 (never a permanent refusal): the auditor signs each attempt anew.
     */
    CALLBACK_CLOCK_TOLERANCE: envDuration('60s'),
    CERTIFICATE_ISSUER: z.string().min(1).default('cabc-certification-body'),
    /** Default policy of new certifications (each certification keeps its own; see docs/certification.md). */
    CERTIFICATE_VALIDITY: envDuration('365d'),
    CERTIFICATION_GRACE_PERIOD: envDuration('7d'),
    CERTIFICATION_REVOKE_ON_CRITICAL_FAILURE: envBoolean(true),
    CERTIFICATION_SUSPEND_ON_STALE_EVIDENCE: envBoolean(false),
    CERTIFICATION_STALE_AFTER: envDuration('0').transform((ms) => (ms > 0 ? ms : undefined)),
    /** Suspend (reason assessment_silent) when no posture statement arrived for this long; 0 = off. */
    CERTIFICATION_ASSESSMENT_SILENT_AFTER: envDuration('0').transform((ms) => (ms > 0 ? ms : undefined)),
    /** Bounds of every per-certification policy change (PUT /v1/certifications/:id/policy); see docs/certification.md. */
    CERTIFICATION_POLICY_MAX_GRACE_PERIOD: envDuration('30d'),
    CERTIFICATION_POLICY_MAX_VALIDITY: envDuration('1095d'),
    CERTIFICATION_POLICY_MAX_STALE_AFTER: envDuration('30d'),
    CERTIFICATION_POLICY_MAY_DISABLE_CRITICAL_REVOCATION: envBoolean(false),
    /** Where the outside world reaches this service; certificates then carry their status URL. */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Public status answers: how long an answer about a live certificate stays fresh (nextUpdate). */
    STATUS_MAX_AGE: envDuration('5m'),
    /** Public status endpoints: requests per minute per client address (token bucket, per replica). */
    STATUS_RATE_LIMIT_PER_MINUTE: positiveInt(120),
    /** Seals webhook secrets at rest, apart from the signing keys' secret (docs/keys.md); KEY_ENCRYPTION_SECRET when unset. */
    WEBHOOK_ENCRYPTION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Webhook retries: exponential from the base delay, capped, with jitter, up to the attempt count. */
    WEBHOOK_RETRY_BASE_DELAY: envDuration('30s'),
    WEBHOOK_RETRY_MAX_DELAY: envDuration('8h'),
    WEBHOOK_MAX_ATTEMPTS: positiveInt(12),
    WEBHOOK_TIMEOUT: envDuration('10s'),
    /** A subscription whose deliveries keep failing for this long is disabled and its owner told. */
    WEBHOOK_DISABLE_AFTER: envDuration('3d'),
    /** Subscription URLs on loopback / private networks: off, so a subscriber cannot reach what sits beside the CB. */
    WEBHOOK_ALLOW_LOOPBACK: envBoolean(false),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: envBoolean(false),
    WEBHOOK_MAX_SUBSCRIPTIONS_PER_ORG: positiveInt(50),
  })
  .refine((env) => env.AUDITOR_JWKS_URL || env.AUDITOR_JWKS, {
    message: 'set AUDITOR_JWKS_URL or AUDITOR_JWKS (the auditor keys that sign callbacks)',
    path: ['AUDITOR_JWKS_URL'],
    when: unlessFailing('AUDITOR_JWKS_URL', 'AUDITOR_JWKS'),
  })
  .refine(hasTokenIssuer, {
    message: missingTokenIssuerMessage,
    path: ['AUTH_JWKS_URL'],
    when: unlessFailing('AUTH_JWKS_URL', 'AUTH_JWKS', 'AUTH_ISSUERS'),
  })
  .refine((env) => !env.CERTIFICATION_SUSPEND_ON_STALE_EVIDENCE || env.CERTIFICATION_STALE_AFTER !== undefined, {
    message: 'set CERTIFICATION_STALE_AFTER when CERTIFICATION_SUSPEND_ON_STALE_EVIDENCE is true',
    path: ['CERTIFICATION_STALE_AFTER'],
    when: unlessFailing('CERTIFICATION_SUSPEND_ON_STALE_EVIDENCE', 'CERTIFICATION_STALE_AFTER'),
  })
  .refine((env) => env.WEBHOOK_RETRY_BASE_DELAY > 0 && env.WEBHOOK_RETRY_BASE_DELAY <= env.WEBHOOK_RETRY_MAX_DELAY, {
    message: 'must be positive and at most WEBHOOK_RETRY_MAX_DELAY',
    path: ['WEBHOOK_RETRY_BASE_DELAY'],
    when: unlessFailing('WEBHOOK_RETRY_BASE_DELAY', 'WEBHOOK_RETRY_MAX_DELAY'),
  });

export type CertificationConfig = z.output<typeof certificationEnvSchema>;

export function loadCertificationConfig(env: Record<string, string | undefined> = process.env): CertificationConfig {
  return parseConfig('certification-body', certificationEnvSchema, env);
}

/** Base URL of the auditor's public ledger API the callbacks' checkpoints are cross-checked with, or undefined (off). */
export function auditorLedgerUrlOf(config: CertificationConfig): string | undefined {
  if (!config.AUDITOR_LEDGER_CHECK) return undefined;
  if (config.AUDITOR_LEDGER_URL) return config.AUDITOR_LEDGER_URL;
  const jwks = config.AUDITOR_JWKS_URL;
  const base = jwks?.replace(/\/\.well-known\/jwks\.json(\?.*)?$/, '/');
  return base && base !== jwks ? base : undefined;
}

/** What per-certification policy changes may set, from the CERTIFICATION_POLICY_* variables. */
export function policyLimitsFrom(config: CertificationConfig): PolicyLimits {
  return {
    maxGracePeriodMs: config.CERTIFICATION_POLICY_MAX_GRACE_PERIOD,
    maxValidityMs: config.CERTIFICATION_POLICY_MAX_VALIDITY,
    maxStaleAfterMs: config.CERTIFICATION_POLICY_MAX_STALE_AFTER,
    mayDisableCriticalRevocation: config.CERTIFICATION_POLICY_MAY_DISABLE_CRITICAL_REVOCATION,
  };
}

/** The policy a new certification starts with, from the CERTIFICATE_* / CERTIFICATION_* variables. */
export function defaultPolicyFrom(config: CertificationConfig): DecisionPolicy {
  const input: z.input<typeof decisionPolicySchema> = {
    gracePeriodMs: config.CERTIFICATION_GRACE_PERIOD,
    validityMs: config.CERTIFICATE_VALIDITY,
    revokeOnCriticalFailure: config.CERTIFICATION_REVOKE_ON_CRITICAL_FAILURE,
    suspendOnStaleEvidence: config.CERTIFICATION_SUSPEND_ON_STALE_EVIDENCE,
    ...(config.CERTIFICATION_STALE_AFTER !== undefined ? { staleAfterMs: config.CERTIFICATION_STALE_AFTER } : {}),
    ...(config.CERTIFICATION_ASSESSMENT_SILENT_AFTER !== undefined
      ? { assessmentSilentAfterMs: config.CERTIFICATION_ASSESSMENT_SILENT_AFTER }
      : {}),
  };
  return parseDecisionPolicy(input);
}
