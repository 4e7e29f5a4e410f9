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
