import type { Check, Measurement } from '@cabc/contracts';
import { affectedKinds } from '../affected-kinds.ts';
import type { EvidenceRecord, ResultDetail, RuleEvaluator } from '../evaluation-types.ts';
import { newestOf } from '../evidence-order.ts';
import { pendingResult, verdictResult } from '../results.ts';
import type { PresenceRule } from '../rule-schema.ts';

/**
 * Every listed kind has evidence, and the newest model card fills every listed field. A model-card field is filled
 * when the card evidence has a passing `present:<field>` check (what the model-card adapters emit) or an unsliced
 * measurement of that name whose value is not null or an empty string (the unified form a pipeline may send). Pending until any evidence the rule reads has arrived; after that,
 * whatever is missing is non-compliant.
 */
export function presenceEvaluator(rule: PresenceRule): RuleEvaluator {
  const kinds = rule.kinds ?? [];
  const fields = rule.modelCardFields ?? [];
  const readKinds = affectedKinds(rule);
  return (context) => {
    const newestByKind = new Map<string, EvidenceRecord>();
    for (const kind of readKinds) {
      const newest = newestOf(context.evidence, (record) => record.predicate.kind === kind);
      if (newest) newestByKind.set(kind, newest);
    }
    if (newestByKind.size === 0) return pendingResult('no evidence of the required kinds yet');

    const details: ResultDetail[] = kinds.map((kind) => ({
      property: `evidence:${kind}`,
      value: newestByKind.has(kind),
      operator: '==',
      target: true,
      success: newestByKind.has(kind),
    }));
    const card = newestByKind.get('model_card');
    for (const field of fields) {
      const filled = card !== undefined && isFilled(card.predicate, field);
      details.push({ property: `model_card:${field}`, value: filled, operator: '==', target: true, success: filled });
    }
    return verdictResult(
      details,
      [...newestByKind.values()].map((record) => record.id),
    );
  };
}

function isFilled(card: { measurements: readonly Measurement[]; checks: readonly Check[] }, field: string): boolean {
  return (
    card.checks.some((check) => check.name === `present:${field}` && check.status === 'pass') ||
    card.measurements.some((m) => m.name === field && m.slice === undefined && m.value !== null && m.value !== '')
  );
}
