import type { CompiledRule } from './compile-rule.ts';
import type { EvaluationContext, RuleResult } from './evaluation-types.ts';
import { errorResult } from './results.ts';

/** The posture callback carries reasons of at most 2048 characters. */
export const MAX_REASON_LENGTH = 2048;

/** Evaluates a compiled rule against evidence. Never throws: anything unexpected is an `error` result. */
export function evaluate(compiled: CompiledRule, context: EvaluationContext): RuleResult {
  try {
    const result = compiled.evaluator(context);
    if (result.reason.length <= MAX_REASON_LENGTH) return result;
    return { ...result, reason: `${result.reason.slice(0, MAX_REASON_LENGTH - 3)}...` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return errorResult(
      `the rule could not be evaluated: ${message}`,
      context.evidence.map((record) => record.id),
    );
  }
}
