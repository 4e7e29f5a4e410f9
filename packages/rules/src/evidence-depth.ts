import type { EvidenceKind } from '@cabc/contracts';
import { affectedKinds } from './affected-kinds.ts';
import { HISTORY_LIMIT } from './cel/variables.ts';
import { TREND_WINDOW } from './evaluators/trend.ts';
import { measurementMatchOf, type MeasurementMatch } from './measurement-selector.ts';
import type { Rule } from './rule-schema.ts';

/** How far back a rule looks when what it reads is not the newest evidence of its kind (provenance builds). */
export const FILTERED_SELECTOR_DEPTH = HISTORY_LIMIT;

/**
 * What a service must load for a rule: per kind, how many of the newest evidence, and for selector rules only the
 * evidence that matches (`match`). Loading more than that is the cost to avoid; loading less changes results.
 */
export interface EvidenceWant {
  kind: EvidenceKind;
  depth: number;
  /** When present, only evidence carrying such a measurement counts toward `depth`. */
  match?: MeasurementMatch;
}

export function evidenceWants(rule: Rule): EvidenceWant[] {
  switch (rule.type) {
    case 'threshold':
      return [{ kind: rule.selector.kind, depth: 1, match: measurementMatchOf(rule.selector) }];
    case 'trend':
      return [{ kind: rule.selector.kind, depth: TREND_WINDOW, match: measurementMatchOf(rule.selector) }];
    default:
      return affectedKinds(rule).map((kind) => ({ kind, depth: evidenceDepth(rule) }));
  }
}

/** How many of the newest evidence of each affected kind the rule reads when nothing is filtered. */
export function evidenceDepth(rule: Rule): number {
  switch (rule.type) {
    case 'trend':
      return TREND_WINDOW;
    case 'expression':
      return /\bhistory\b/.test(rule.expression) ? HISTORY_LIMIT : 1;
    case 'threshold':
      // The newest evidence of the kind may not carry the measurement: without a filter, look back.
      return FILTERED_SELECTOR_DEPTH;
    case 'provenance':
      return rule.build ? FILTERED_SELECTOR_DEPTH : 1;
    default:
      return 1;
  }
}
