export {
  ruleSchema,
  selectorSchema,
  type Rule,
  type RuleType,
  type Selector,
  type ThresholdRule,
  type ExpressionRule,
  type ChecksRule,
  type FreshnessRule,
  type PresenceRule,
  type ProvenanceRule,
  type TrendRule,
  type DriftRule,
} from './rule-schema.ts';
export { comparisonOperators, type ComparisonOperator } from './operators.ts';
export { compileRule, type CompiledRule, type CompileOptions } from './compile-rule.ts';
export { RuleCompileError, type RuleIssue } from './compile-error.ts';
export { affectedKinds } from './affected-kinds.ts';
export { evaluate, MAX_REASON_LENGTH } from './evaluate.ts';
export type {
  EvaluationContext,
  EvidenceRecord,
  ScopeDigests,
  VerifiedAttestation,
  RuleResult,
  ResultDetail,
  DetailValue,
} from './evaluation-types.ts';
export { aggregatePosture, type PostureInput, type PostureSummary, type StatusCounts } from './posture.ts';
export { TREND_DEFAULTS, TREND_WINDOW } from './evaluators/trend.ts';
export { HISTORY_LIMIT } from './cel/variables.ts';
export { DEFAULT_CEL_COST_LIMIT } from './cel/compile-program.ts';
export { DEFAULT_CEL_BUDGET, type CelBudget } from './cel/step-budget.ts';
export { DRIFT_MEASUREMENTS } from './evaluators/drift.ts';
export { evidenceDepth, evidenceWants, FILTERED_SELECTOR_DEPTH, type EvidenceWant } from './evidence-depth.ts';
export { metricNamesOf, measurementMatchOf, type MeasurementMatch } from './measurement-selector.ts';
export {
  buildFactsOf,
  normalizeRepository,
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V02,
  type BuildFacts,
} from './attestations/slsa-build-facts.ts';
// Shared with @cabc/anomaly, which runs the same recursion online on standardised metrics.
export { cusum, cusumStep, type CusumOptions, type CusumOutcome } from './trend/cusum.ts';
export { flooredDeviation } from './trend/statistics.ts';
