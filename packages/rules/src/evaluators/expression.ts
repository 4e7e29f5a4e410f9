import { celType, isCelError } from '@bufbuild/cel';
import type { RuleEvaluator } from '../evaluation-types.ts';
import { bindEvidence } from '../cel/bindings.ts';
import { compileCelProgram } from '../cel/compile-program.ts';
import { withinBudget, type CelBudget } from '../cel/step-budget.ts';
import { describeValue } from '../describe-value.ts';
import { errorResult, pendingResult } from '../results.ts';
import type { ExpressionRule } from '../rule-schema.ts';

/**
 * Runs a CEL expression over `latest`, `history` and `now`, once every declared kind has evidence. A runtime error
 * (a missing metric, a wrong type) or a non-bool result is an error, never a pass.
 */
export function expressionEvaluator(
  rule: ExpressionRule,
  limits: { costLimit?: number | undefined; budget: CelBudget },
): RuleEvaluator {
  const program = compileCelProgram(rule.expression, rule.kinds, limits.costLimit);
  return (context) => {
    const bound = bindEvidence(rule.kinds, context.evidence, context.now, program.readsHistory);
    if ('missing' in bound) return pendingResult(`no ${bound.missing.join(', ')} evidence yet`);

    const evidenceIds = (program.readsHistory ? bound.used.history : bound.used.latest).map((record) => record.id);
    const { value, exceeded } = withinBudget(limits.budget, () => program.run(bound.variables));
    if (exceeded !== undefined) return errorResult(exceeded, evidenceIds);
    if (isCelError(value)) return errorResult(`the expression failed: ${value.message}`, evidenceIds);
    if (typeof value !== 'boolean') {
      return errorResult(`the expression returned ${celType(value).toString()}, not bool`, evidenceIds);
    }
    return {
      status: value ? 'compliant' : 'non_compliant',
      reason: `${describeValue(rule.expression)} is ${value}`,
      details: [{ property: 'expression', value, operator: '==', target: true, success: value }],
      evidenceIds,
    };
  };
}
