/**
 * What the OSCAL bundle is built from, in the shapes the platform's APIs answer (timestamps as ISO 8601 strings), so
 * that the CLI, the assessment service and tests can all fill it: the ToE, the approved scope version, the result
 * history, the evidence with ledger index and receipt, the auditor's manual findings, the certificate and the
 * built-in catalog. Nothing here is fetched: the builders are pure functions of this input.
 */
import type { AnomalyObservationInput } from './anomaly-observation.ts';

export type { AnomalyObservationInput };
export type RequirementStatus = 'compliant' | 'non_compliant' | 'pending' | 'error';

export interface ArtifactInput {
  name: string;
  sha256: string;
}

export interface ToeInput {
  id: string;
  org: string;
  name: string;
  businessPurpose: string;
  fieldOfOperation: string;
  /** EU AI Act risk class: minimal, limited, high, general_purpose. */
  riskClass: string;
  owner: string;
  createdAt: string;
  artifacts: { models: ArtifactInput[]; datasets: ArtifactInput[] };
}

export interface ScopeRiskInput {
  id: string;
  description: string;
  likelihood: string;
  impact: string;
}

export interface ScopeRequirementInput {
  id: string;
  title: string;
  description?: string | undefined;
  severity: string;
  critical?: boolean | undefined;
  /** Ids of the scope's risks it mitigates. */
  mitigates?: string[] | undefined;
  /** Catalog references such as `EU-AI-ACT:Art.15(1)`, `ISO-25059:robustness`, `AIC4:PF`. */
  controls?: string[] | undefined;
  /** A rule of @cabc/rules (threshold, trend, checks, drift, presence, provenance, freshness, expression). */
  rule: unknown;
  freshness?: string | undefined;
  gracePeriod?: string | undefined;
  template?: { id: string; catalogVersion: string } | undefined;
}

export interface ScopeMeasurementInput {
  requirementId: string;
  evidenceKinds: string[];
  tools?: string[] | undefined;
  metrics?: string[] | undefined;
  /** ISO 8601 duration or short form (P1D, 12h): how often the auditee's pipelines deliver this evidence. */
  expectedFrequency: string;
}

export interface CollectorKeyInput {
  kty: string;
  crv?: string | undefined;
  x?: string | undefined;
  kid?: string | undefined;
}

export interface ApprovedScopeInput {
  version: number;
  /** SHA-256 of the scope document's canonical JSON. */
  digest: string;
  approvedAt: string;
  approvedBy: string;
  document: {
    risks: ScopeRiskInput[];
    requirements: ScopeRequirementInput[];
    measurements?: ScopeMeasurementInput[] | undefined;
    collectorKeys?: CollectorKeyInput[] | undefined;
  };
}

/** One requirement result of the history (GET /v1/toes/:id/results). */
export interface ResultInput {
  id: number;
  requirementId: string;
  status: RequirementStatus;
  previousStatus: RequirementStatus | null;
  reason: string;
  evidenceIds: string[];
  evaluatedAt: string;
}

export interface MeasurementInput {
  name: string;
  value: unknown;
  unit?: string | undefined;
  slice?: string | undefined;
}

/** One evidence as the assessment service keeps it (GET /v1/toes/:id/evidence). */
export interface EvidenceInput {
  id: string;
  /** Position in the assessment's evidence sequence. */
  sequence: number;
  kind: string;
  observedAt: string | Date;
  receivedAt: string | Date;
  envelopeSha256: string;
  statementSha256: string;
  keyid: string;
  /** Index of the envelope's leaf in the Merkle evidence ledger (null while not yet appended). */
  logIndex: number | null;
  /** The receipt the assessment service signed at receipt (JWS, typ cabc-receipt+jwt). */
  receipt?: string | undefined;
  producer?: { tool?: string | undefined; toolVersion?: string | undefined; pipelineRunId?: string | undefined } | null;
  measurements: MeasurementInput[];
  checks: { name: string; status: string }[];
  raw?: { digest: { sha256: string }; mediaType: string; uri?: string | undefined } | null;
}

/** The auditor's own result for a requirement (GET /v1/toes/:id/findings). */
export interface ManualFindingInput {
  id: string;
  requirementId: string;
  status: 'compliant' | 'non_compliant' | 'error';
  justification: string;
  validFrom: string;
  validUntil: string;
  recordedBy: string;
}

/** The certificate of the approved scope version as the certification body shows it. */
export interface CertificateInput {
  id: string;
  /** issued, suspended, revoked, expired, withdrawn. */
  state: string;
  reason: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  scopeVersion: number;
  /** While suspended: when the suspension began and when the grace period ends (revocation, unless compliant). */
  suspendedAt?: string | null | undefined;
  graceEndsAt?: string | null | undefined;
  history: { from: string; to: string; reason: string; at: string }[];
}

export interface CatalogTemplateInput {
  id: string;
  title: string;
  description: string;
  area: string;
  severity: string;
  critical: boolean;
  controls: { euAiAct: string[]; iso25059: string[]; aic4: string[] };
  evidenceKinds: string[];
  parameters: { name: string; type: string; default: unknown; description: string }[];
  defaultRule: unknown;
}

/** The built-in requirement catalog (GET /v1/catalog). */
export interface CatalogInput {
  version: string;
  templates: CatalogTemplateInput[];
}

export interface OscalBundleInput {
  toe: ToeInput;
  scope: ApprovedScopeInput;
  results: ResultInput[];
  evidence: EvidenceInput[];
  findings: ManualFindingInput[];
  /** The anomaly observations on the ToE (GET /v1/toes/:id/observations); each in the window it was raised in. */
  observations?: AnomalyObservationInput[] | undefined;
  certificate: CertificateInput | null;
  catalog: CatalogInput;
  /** Base URL of the assessment service, for the links to envelopes and inclusion proofs. */
  assessmentUrl: string;
  /** When the export was asked for; the default end of the period. */
  generatedAt: string;
  /** The assessed period; default: from the scope's approval to generatedAt. */
  period?: { from?: string | undefined; to?: string | undefined } | undefined;
  /** Length of one evaluation window (one OSCAL result each); default P1D, aligned to UTC midnight. */
  windowLength?: string | undefined;
}
