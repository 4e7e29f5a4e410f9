/** The auditor's own result for a requirement, valid in [validFrom, validUntil). */
export interface ManualFinding {
  id: string;
  toeId: string;
  requirementId: string;
  status: 'compliant' | 'non_compliant' | 'error';
  justification: string;
  validFrom: Date;
  validUntil: Date;
  recordedBy: string;
  createdAt: Date;
}

/** A finding as the API answers it (GET /v1/toes/:id/findings) and the OSCAL bundle reads it. */
export const findingView = (finding: ManualFinding) => ({
  id: finding.id,
  requirementId: finding.requirementId,
  status: finding.status,
  justification: finding.justification,
  validFrom: finding.validFrom.toISOString(),
  validUntil: finding.validUntil.toISOString(),
  recordedBy: finding.recordedBy,
});
