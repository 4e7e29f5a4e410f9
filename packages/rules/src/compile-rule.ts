import type { EvidenceKind } from '@cabc/contracts';
import { affectedKinds } from './affected-kinds.ts';
import { RuleCompileError, issuesFromZod } from './compile-error.ts';
import type { EvidenceRecord, RuleEvaluator } from './evaluation-types.ts';
import { checksEvaluator } from './evaluators/checks.ts';
import { driftEvaluator } from './evaluators/drift.ts';
import { expressionEvaluator } from './evaluators/expression.ts';
import { freshnessEvaluator } from './evaluators/freshness.ts';
import { presenceEvaluator } from './evaluators/presence.ts';
import { provenanceEvaluator } from './evaluators/provenance.ts';
import { thresholdEvaluator } from './evaluators/threshold.ts';
import { trendEvaluator } from './evaluators/trend.ts';
import { DEFAULT_CEL_BUDGET, type CelBudget } from './cel/step-budget.ts';
import { isSelectable } from './measurement-selector.ts';
import { ruleSchema, type Rule } from './rule-schema.ts';

export interface CompiledRule {
  /** The validated rule, with defaults applied. */
  readonly rule: Rule;
  readonly affectedKinds: readonly EvidenceKind[];
  /** Whether the rule can read this evidence (its kind, and for selectors a matching measurement). */
  readonly reads: (record: EvidenceRecord) => boolean;
  /** Use `evaluate(compiled, context)`, which also turns an unexpected exception into an `error` result. */
  readonly evaluator: RuleEvaluator;
}

export interface CompileOptions {
  /** Prefix of the issue fields, e.g. `requirements.3.rule`; `rule` by default. */
  fieldPrefix?: string;
  /** The estimated cost above which a CEL expression is refused; DEFAULT_CEL_COST_LIMIT by default. */
  celCostLimit?: number | undefined;
  /** The runtime budget of one CEL evaluation; DEFAULT_CEL_BUDGET by default. */
  celBudget?: CelBudget | undefined;
}

/**
 * Validates a rule document and prepares it for evaluation. Every problem that can be found without evidence is
 * found here, so a bad rule is refused when the scope is stored, not when evidence arrives.
 */
export function compileRule(input: unknown, options: CompileOptions = {}): CompiledRule {
  const prefix = options.fieldPrefix ?? 'rule';
  try {
    const parsed = ruleSchema.safeParse(input);
    if (!parsed.success) throw new RuleCompileError(issuesFromZod(parsed.error));
    const rule = parsed.data;
    const kinds = affectedKinds(rule);
    return Object.freeze({
      rule,
      affectedKinds: kinds,
      reads: readsOf(rule, kinds),
      evaluator: buildEvaluator(rule, options),
    });
  } catch (error) {
    if (!(error instanceof RuleCompileError)) throw error;
    throw new RuleCompileError(
      error.issues.map((issue) => ({ ...issue, field: issue.field === '' ? prefix : `${prefix}.${issue.field}` })),
    );
  }
}

function buildEvaluator(rule: Rule, options: CompileOptions): RuleEvaluator {
  switch (rule.type) {
    case 'threshold':
      return thresholdEvaluator(rule);
    case 'expression':
      return expressionEvaluator(rule, {
        costLimit: options.celCostLimit,
        budget: options.celBudget ?? DEFAULT_CEL_BUDGET,
      });
    case 'checks':
      return checksEvaluator(rule);
    case 'freshness':
      return freshnessEvaluator(rule);
    case 'presence':
      return presenceEvaluator(rule);
    case 'provenance':
      return provenanceEvaluator(rule);
    case 'trend':
      return trendEvaluator(rule);
    case 'drift':
      return driftEvaluator(rule);
  }
}

function readsOf(rule: Rule, kinds: readonly EvidenceKind[]): (record: EvidenceRecord) => boolean {
  if (rule.type === 'threshold' || rule.type === 'trend') return (record) => isSelectable(record, rule.selector);
  const set = new Set<string>(kinds);
  return (record) => set.has(record.predicate.kind);
}
