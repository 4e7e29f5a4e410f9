import type { EvidencePredicate, RequirementStatus } from '@cabc/contracts';

/** One piece of verified evidence from the ledger, as the rule engine sees it. */
export interface EvidenceRecord {
  id: string;
  /** When the assessment service accepted it; the auditor's clock, unlike `predicate.observedAt`. */
  receivedAt: Date;
  subjects: { name: string; digest: { sha256: string } }[];
  predicate: EvidencePredicate;
}

export interface ScopeDigests {
  modelDigests: string[];
  datasetDigests: string[];
}

export interface EvaluationContext {
  now: Date;
  /** Evidence of the rule's affected kinds, in any order. */
  evidence: EvidenceRecord[];
  scope: ScopeDigests;
}

export type DetailScalar = number | string | boolean | null;
export type DetailValue = DetailScalar | readonly DetailScalar[];

/** One machine-readable comparison behind a result (docs/design.md §4). */
export interface ResultDetail {
  property: string;
  value: DetailValue;
  operator: string;
  target: DetailValue;
  success: boolean;
}

export interface RuleResult {
  status: RequirementStatus;
  reason: string;
  details: ResultDetail[];
  evidenceIds: string[];
}

export type RuleEvaluator = (context: EvaluationContext) => RuleResult;
