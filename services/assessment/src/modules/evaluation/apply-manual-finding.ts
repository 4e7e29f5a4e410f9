import type { RuleResult } from '@cabc/rules';
import type { ManualFinding } from '../findings/manual-finding.ts';

/** Inside its window, the auditor's finding replaces the automated result; the automated one stays in the details. */
export function applyManualFinding(automated: RuleResult, finding: ManualFinding | undefined): RuleResult {
  if (!finding) return automated;
  return {
    status: finding.status,
    reason:
      `manual finding by ${finding.recordedBy}, valid until ${finding.validUntil.toISOString()}: ${finding.justification}`.slice(
        0,
        2048,
      ),
    details: [
      {
        property: 'manual_finding',
        value: finding.status,
        operator: 'overrides',
        target: automated.status,
        success: finding.status === 'compliant',
      },
      ...automated.details,
    ],
    evidenceIds: automated.evidenceIds,
  };
}
