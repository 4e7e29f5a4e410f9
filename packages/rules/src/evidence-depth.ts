import { HISTORY_LIMIT } from './cel/variables.ts';
import { TREND_WINDOW } from './evaluators/trend.ts';
import type { Rule } from './rule-schema.ts';

/** How far back a selector with dataset/split/slice filters looks for its newest matching evidence. */
export const FILTERED_SELECTOR_DEPTH = HISTORY_LIMIT;

/**
 * How many of the newest evidence of each affected kind the rule can read: what a service must load for it, and no
 * more (loading a long history for a rule that reads the newest evidence only is the cost to avoid).
 */
export function evidenceDepth(rule: Rule): number {
  switch (rule.type) {
    case 'trend':
      return TREND_WINDOW;
    case 'expression':
      return /\bhistory\b/.test(rule.expression) ? HISTORY_LIMIT : 1;
    case 'threshold': {
      const { dataset, split, slice } = rule.selector;
      return dataset !== undefined || split !== undefined || slice !== undefined ? FILTERED_SELECTOR_DEPTH : 1;
    }
    default:
      return 1;
  }
}
