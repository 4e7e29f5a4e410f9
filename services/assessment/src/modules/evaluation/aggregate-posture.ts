import type { Posture, RequirementStatus } from '@cabc/contracts';

/** Any non-compliant ⇒ non-compliant; else any error ⇒ error; else any pending ⇒ pending; else compliant. */
export function aggregatePosture(statuses: RequirementStatus[]): Posture {
  if (statuses.includes('non_compliant')) return 'non_compliant';
  if (statuses.includes('error')) return 'error';
  if (statuses.length === 0 || statuses.includes('pending')) return 'pending';
  return 'compliant';
}
