import { affectedKinds } from '../affected-kinds.ts';
import type { EvidenceRecord, ResultDetail, RuleEvaluator } from '../evaluation-types.ts';
import { newestOf } from '../evidence-order.ts';
import { pendingResult, verdictResult } from '../results.ts';
import type { ProvenanceRule } from '../rule-schema.ts';

/**
 * Every subject of the newest evidence of each kind is a model or dataset the approved scope names (sha256,
 * compared case-insensitively). Evidence without subjects is bound to nothing and fails. Kinds without evidence
 * are skipped; pending when none has any.
 */
export function provenanceEvaluator(rule: ProvenanceRule): RuleEvaluator {
  const kinds = affectedKinds(rule);
  return (context) => {
    const approved = new Set(
      [...context.scope.modelDigests, ...context.scope.datasetDigests].map((digest) => digest.toLowerCase()),
    );
    const approvedList = [...approved];
    const newest = kinds
      .map((kind) => newestOf(context.evidence, (record) => record.predicate.kind === kind))
      .filter((record): record is EvidenceRecord => record !== undefined);
    if (newest.length === 0)
      return pendingResult(`no evidence of ${rule.kinds ? rule.kinds.join(', ') : 'any kind'} yet`);

    const details: ResultDetail[] = newest.flatMap((record): ResultDetail[] => {
      const kind = record.predicate.kind;
      if (record.subjects.length === 0) {
        return [{ property: `subjects:${kind}`, value: 0, operator: '>=', target: 1, success: false }];
      }
      return record.subjects.map((subject) => ({
        property: `subject:${kind}:${subject.name}`,
        value: subject.digest.sha256,
        operator: 'in',
        target: approvedList,
        success: approved.has(subject.digest.sha256.toLowerCase()),
      }));
    });
    return verdictResult(
      details,
      newest.map((record) => record.id),
    );
  };
}
