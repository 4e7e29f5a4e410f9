import { requirementStatuses, type Posture, type RequirementStatus } from '@cabc/contracts';

export interface PostureInput {
  status: RequirementStatus;
  severity: string;
  critical: boolean;
}

export type StatusCounts = Record<RequirementStatus, number>;

export interface PostureSummary {
  posture: Posture;
  total: number;
  counts: StatusCounts;
  bySeverity: Record<string, StatusCounts>;
  /** A requirement flagged critical is non-compliant (the posture callback's `criticalFailed`). */
  criticalFailed: boolean;
}

// Worst first. An error outranks pending: evidence arrived and cannot be judged, which needs someone to act, while
// pending only waits for evidence that has not come yet.
const precedence: readonly RequirementStatus[] = ['non_compliant', 'error', 'pending', 'compliant'];

/**
 * A ToE's posture is its worst requirement result. With no requirements at all it is pending: nothing has been
 * shown, and "couldn't measure" is never "passed".
 */
export function aggregatePosture(results: readonly PostureInput[]): PostureSummary {
  const counts = emptyCounts();
  const bySeverity: Record<string, StatusCounts> = {};
  let criticalFailed = false;
  for (const result of results) {
    counts[result.status] += 1;
    (bySeverity[result.severity] ??= emptyCounts())[result.status] += 1;
    if (result.critical && result.status === 'non_compliant') criticalFailed = true;
  }
  const posture = results.length === 0 ? 'pending' : (precedence.find((status) => counts[status] > 0) ?? 'pending');
  return { posture, total: results.length, counts, bySeverity, criticalFailed };
}

function emptyCounts(): StatusCounts {
  return Object.fromEntries(requirementStatuses.map((status) => [status, 0])) as StatusCounts;
}
