import type { RuleEvaluator } from '../evaluation-types.ts';
import { parseDuration } from '@cabc/contracts';
import { newestOf, observedAtMs } from '../evidence-order.ts';
import { pendingResult, verdictResult } from '../results.ts';
import type { FreshnessRule } from '../rule-schema.ts';

/**
 * The newest evidence of the kind is at most maxAge old. Its age counts from `observedAt`, but never from later
 * than `receivedAt`: a producer clock set ahead cannot keep evidence fresh.
 */
export function freshnessEvaluator(rule: FreshnessRule): RuleEvaluator {
  const parsed = parseDuration(rule.maxAge);
  // The schema has refused unparsable durations already.
  const maxAgeMs = 'ms' in parsed ? parsed.ms : 0;
  const maxAgeSeconds = maxAgeMs / 1000;
  return (context) => {
    const evidence = newestOf(context.evidence, (record) => record.predicate.kind === rule.kind);
    if (evidence === undefined) return pendingResult(`no ${rule.kind} evidence yet`);

    const effectiveMs = Math.min(observedAtMs(evidence), evidence.receivedAt.getTime());
    const ageSeconds = (context.now.getTime() - effectiveMs) / 1000;
    const success = ageSeconds <= maxAgeSeconds;
    return verdictResult(
      [{ property: `age_seconds:${rule.kind}`, value: ageSeconds, operator: '<=', target: maxAgeSeconds, success }],
      [evidence.id],
    );
  };
}
