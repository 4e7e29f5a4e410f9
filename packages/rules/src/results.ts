import type { ResultDetail, RuleResult } from './evaluation-types.ts';
import { describeValue } from './describe-value.ts';

export function pendingResult(reason: string, evidenceIds: string[] = []): RuleResult {
  return { status: 'pending', reason, details: [], evidenceIds };
}

/** Evidence is there but cannot be evaluated; never a pass (docs/design.md §4). */
export function errorResult(reason: string, evidenceIds: string[], details: ResultDetail[] = []): RuleResult {
  return { status: 'error', reason, details, evidenceIds };
}

export function describeDetail(detail: ResultDetail): string {
  const verdict = detail.success ? 'meets' : 'fails';
  return `${detail.property} = ${describeValue(detail.value)} ${verdict} ${detail.operator} ${describeValue(detail.target)}`;
}

/**
 * Compliant when every detail succeeds; the reason names the failures, or every success when there are none,
 * followed by the note.
 */
export function verdictResult(details: ResultDetail[], evidenceIds: string[], note?: string): RuleResult {
  const failures = details.filter((detail) => !detail.success);
  const compliant = failures.length === 0 && details.length > 0;
  const explained = compliant ? details : failures;
  return {
    status: compliant ? 'compliant' : 'non_compliant',
    reason: [explained.length === 0 ? 'nothing was checked' : explained.map(describeDetail).join('; '), note]
      .filter(Boolean)
      .join('. '),
    details,
    evidenceIds,
  };
}
