import type { RuleEvaluator } from '../evaluation-types.ts';
import { newestOf } from '../evidence-order.ts';
import { describeSelection, isSelectable, readMeasurement, selectorLabel } from '../measurement-selector.ts';
import { compare } from '../operators.ts';
import { errorResult, pendingResult, verdictResult } from '../results.ts';
import type { ThresholdRule } from '../rule-schema.ts';

/**
 * Compares one measurement of the newest evidence that carries one (of the selector's names, dataset, slice, ...)
 * with the target. Evidence without such a measurement is irrelevant; a value that cannot be compared is an error.
 */
export function thresholdEvaluator(rule: ThresholdRule): RuleEvaluator {
  const { selector, operator, target } = rule;
  return (context) => {
    const evidence = newestOf(context.evidence, (record) => isSelectable(record, selector));
    if (evidence === undefined) return pendingResult(`no ${describeSelection(selector)} yet`);
    const ids = [evidence.id];

    const read = readMeasurement(evidence, selector);
    if ('error' in read) return errorResult(read.error, ids);
    const property = selectorLabel(selector, read.name);
    const comparison = compare(operator, read.value, target);
    if ('error' in comparison) {
      return errorResult(`${property} in evidence ${evidence.id} cannot be compared: ${comparison.error}`, ids);
    }
    return verdictResult([{ property, value: read.value, operator, target, success: comparison.success }], ids);
  };
}
