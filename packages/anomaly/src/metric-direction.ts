import { metricNamesOf, type Rule } from '@cabc/rules';
import type { MetricDirection } from './types.ts';

const HIGHER = new RegExp(
  '(^|_)(accuracy|acc|f1|f1_score|auc|roc_auc|pr_auc|precision|recall|r2|sensitivity|specificity|mcc|' +
    'matthews_correlation|top_\\d+_accuracy|map|ndcg|bleu|rouge\\w*)$',
);
const LOWER = /(^|_)(loss|log_loss|logloss|error|error_rate|rmse|mse|mae|mape|brier|brier_score|ece|latency)$/;

/** Which way is good for a metric: the scope's own rules first, then a table of common metric names. */
export function directionOf(
  metric: string,
  fromScope: Readonly<Record<string, MetricDirection>> | undefined,
): MetricDirection | undefined {
  const name = metric.replace(/\[.*\]$/, '');
  const declared = fromScope && Object.hasOwn(fromScope, name) ? fromScope[name] : undefined;
  if (declared) return declared;
  let known = byName.get(name);
  if (known === undefined) {
    const lower = name.toLowerCase();
    known = HIGHER.test(lower) ? 'higher_is_better' : LOWER.test(lower) ? 'lower_is_better' : null;
    if (byName.size < 4096) byName.set(name, known);
  }
  return known ?? undefined;
}

/** Answers of the name table, which never change. */
const byName = new Map<string, MetricDirection | null>();

/**
 * Metric directions a scope's rules state: a threshold `>=`/`>` means higher is better, `<=`/`<` lower; a trend rule
 * says it outright. For `AnomalyScope.metricDirections`.
 */
export function metricDirectionsOf(rules: readonly Rule[]): Record<string, MetricDirection> {
  // No prototype: a metric named __proto__ is just a name here.
  const directions: Record<string, MetricDirection> = Object.create(null);
  for (const rule of rules) {
    if (rule.type === 'threshold') {
      const direction =
        rule.operator === '>=' || rule.operator === '>'
          ? 'higher_is_better'
          : rule.operator === '<=' || rule.operator === '<'
            ? 'lower_is_better'
            : undefined;
      if (direction) for (const name of metricNamesOf(rule.selector)) directions[name] = direction;
    }
    if (rule.type === 'trend') {
      const direction = rule.direction === 'decrease_is_bad' ? 'higher_is_better' : 'lower_is_better';
      for (const name of metricNamesOf(rule.selector)) directions[name] = direction;
    }
  }
  return directions;
}
