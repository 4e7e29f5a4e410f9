import type { DecisionPolicy } from './decision-policy.ts';

/**
 * What a per-certification policy may be set to (CERTIFICATION_POLICY_* in the configuration, docs/certification.md):
 * the certification body's own limits, so that no policy change, whoever makes it, can keep a failing system certified
 * for years.
 */
export interface PolicyLimits {
  maxGracePeriodMs: number;
  maxValidityMs: number;
  maxStaleAfterMs: number;
  /** Whether a policy may turn off revocation on a critical failure. */
  mayDisableCriticalRevocation: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_POLICY_LIMITS: PolicyLimits = {
  maxGracePeriodMs: 30 * DAY_MS,
  maxValidityMs: 3 * 365 * DAY_MS,
  maxStaleAfterMs: 30 * DAY_MS,
  mayDisableCriticalRevocation: false,
};

const days = (ms: number) => `${Math.round((ms / DAY_MS) * 100) / 100} d`;

/** The policy's members beyond the limits, each named as the request names it (`policy.<member>`). */
export function policyLimitViolations(
  policy: DecisionPolicy,
  limits: PolicyLimits,
): { field: string; message: string }[] {
  const violations: { field: string; message: string }[] = [];
  const atMost = (member: keyof DecisionPolicy, value: number | undefined, limit: number, variable: string) => {
    if (value !== undefined && value > limit)
      violations.push({
        field: `policy.${member}`,
        message: `at most ${limit} (${days(limit)}, ${variable}); got ${value}`,
      });
  };
  atMost('gracePeriodMs', policy.gracePeriodMs, limits.maxGracePeriodMs, 'CERTIFICATION_POLICY_MAX_GRACE_PERIOD');
  atMost('validityMs', policy.validityMs, limits.maxValidityMs, 'CERTIFICATION_POLICY_MAX_VALIDITY');
  atMost('staleAfterMs', policy.staleAfterMs, limits.maxStaleAfterMs, 'CERTIFICATION_POLICY_MAX_STALE_AFTER');
  if (!policy.revokeOnCriticalFailure && !limits.mayDisableCriticalRevocation)
    violations.push({
      field: 'policy.revokeOnCriticalFailure',
      message:
        'must stay true: this certification body revokes on a critical failure (CERTIFICATION_POLICY_MAY_DISABLE_CRITICAL_REVOCATION)',
    });
  return violations;
}
