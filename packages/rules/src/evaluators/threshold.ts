import type { RuleEvaluator } from '../evaluation-types.ts';
import { newestOf } from '../evidence-order.ts';
import { describeSelection, isSelectable, readMeasurement, selectorLabel } from '../measurement-selector.ts';
import { compare } from '../operators.ts';
import { errorResult, pendingResult, verdictResult } from '../results.ts';
import type { ThresholdRule } from '../rule-schema.ts';

/** Compares one measurement of the newest selectable evidence with the target. */
export function thresholdEvaluator(rule: ThresholdRule): RuleEvaluator {
  const { selector, operator, target } = rule;
  const property = selectorLabel(selector);
  return (context) => {
    const evidence = newestOf(context.evidence, (record) => isSelectable(record, selector));
    if (evidence === undefined) return pendingResult(`no ${describeSelection(selector)} yet`);
    const ids = [evidence.id];

    const read = readMeasurement(evidence, selector);
    if ('error' in read) return errorResult(read.error, ids);
    const comparison = compare(operator, read.value, target);
    if ('error' in comparison) {
      return errorResult(`${property} in evidence ${evidence.id} cannot be compared: ${comparison.error}`, ids);
    }
    return verdictResult([{ property, value: read.value, operator, target, success: comparison.success }], ids);
  };
}
