import type { EvidencePredicate, RequirementStatus } from '@cabc/contracts';

/** One piece of verified evidence from the ledger, as the rule engine sees it. */
export interface EvidenceRecord {
  id: string;
  /** When the assessment service accepted it; the auditor's clock, unlike `predicate.observedAt`. */
  receivedAt: Date;
  subjects: { name: string; digest: { sha256: string } }[];
  predicate: EvidencePredicate;
  /**
   * The third-party in-toto attestations the evidence relays, as the assessment service verified them at ingest
   * (signature against the approved scope's attestation keys, subjects bound to approved artifacts). Only these are
   * trusted facts: the rules never read an attestation's claims from anywhere else.
   */
  attestations?: VerifiedAttestation[];
}

export interface VerifiedAttestation {
  /** The producer (of the scope's `attestationKeys`) whose key verified the envelope. */
  producer: string;
  predicateType: string;
  subjects: { name?: string; digest: Record<string, string> }[];
  /** The statement's predicate, as signed. */
  predicate: unknown;
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
