import { evidenceKinds, type EvidenceKind } from '@cabc/contracts';
import type { Rule } from './rule-schema.ts';

/** The evidence kinds whose arrival can change the rule's result, so only affected requirements are re-evaluated. */
export function affectedKinds(rule: Rule): readonly EvidenceKind[] {
  switch (rule.type) {
    case 'threshold':
    case 'trend':
      return [rule.selector.kind];
    case 'checks':
    case 'freshness':
      return [rule.kind];
    case 'expression':
      return unique(rule.kinds);
    case 'presence':
      return unique([...(rule.kinds ?? []), ...(rule.modelCardFields ? ['model_card' as const] : [])]);
    case 'provenance':
      if (rule.build) return unique([...(rule.kinds ?? []), 'provenance']);
      return rule.kinds ? unique(rule.kinds) : evidenceKinds;
    case 'drift':
      return [rule.kind ?? 'drift'];
  }
}

function unique(kinds: readonly EvidenceKind[]): EvidenceKind[] {
  return [...new Set(kinds)];
}
