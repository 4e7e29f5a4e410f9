import type { Check } from '@cabc/contracts';
import type { ResultDetail, RuleEvaluator } from '../evaluation-types.ts';
import { newestOf } from '../evidence-order.ts';
import { errorResult, pendingResult, verdictResult } from '../results.ts';
import type { ChecksRule } from '../rule-schema.ts';

/**
 * Every tool check of the newest evidence of the kind passes (or warns, when allowed). A failed check decides
 * non-compliance even when another check could not run; otherwise a check in status `error`, a named check the
 * tool did not report, or evidence without checks is an error.
 */
export function checksEvaluator(rule: ChecksRule): RuleEvaluator {
  const accepted = rule.allowWarnings ? ['pass', 'warn'] : ['pass'];
  return (context) => {
    const evidence = newestOf(context.evidence, (record) => record.predicate.kind === rule.kind);
    if (evidence === undefined) return pendingResult(`no ${rule.kind} evidence yet`);
    const ids = [evidence.id];

    const checks = selectChecks(evidence.predicate.checks, rule.names);
    const details: ResultDetail[] = checks.reported.map((check) => ({
      property: `check:${check.name}`,
      value: check.status,
      operator: 'in',
      target: accepted,
      success: accepted.includes(check.status),
    }));
    const failed = checks.reported.some((check) => check.status !== 'error' && !accepted.includes(check.status));
    const problem = failed ? undefined : whyUnjudgeable(checks, evidence.id);
    if (problem !== undefined) return errorResult(problem, ids, details);
    return verdictResult(details, ids);
  };
}

interface SelectedChecks {
  reported: Check[];
  /** Names the rule asks for that the evidence does not report. */
  unreported: string[];
}

/** Why checks of which none failed still cannot count as passed, if they cannot. */
function whyUnjudgeable(checks: SelectedChecks, evidenceId: string): string | undefined {
  if (checks.unreported.length > 0)
    return `evidence ${evidenceId} does not report the checks ${checks.unreported.join(', ')}`;
  if (checks.reported.length === 0) return `evidence ${evidenceId} reports no checks`;
  const broken = checks.reported.filter((check) => check.status === 'error').map((check) => check.name);
  return broken.length > 0 ? `the tool could not run the checks ${broken.join(', ')}` : undefined;
}

function selectChecks(checks: readonly Check[], names: readonly string[] | undefined): SelectedChecks {
  if (names === undefined) return { reported: [...checks], unreported: [] };
  const wanted = new Set(names);
  const reported = checks.filter((check) => wanted.has(check.name));
  const seen = new Set(reported.map((check) => check.name));
  return { reported, unreported: names.filter((name) => !seen.has(name)) };
}
