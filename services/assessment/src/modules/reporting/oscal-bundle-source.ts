import {
  BUNDLE_LIMITS,
  chooseApprovedScope,
  readCertificateInput,
  type CatalogInput,
  type CertificateInput,
  type EvidenceInput,
  type OscalBundleInput,
} from '@cabc/oscal';
import { UnprocessableProblem } from '@cabc/http-kit';
import type { FindingsRepository } from '../findings/findings.repository.ts';
import { logIndexOfReceipt } from '../ledger/receipt-log-index.ts';
import type { ObservationsRepository } from '../observations/observations.repository.ts';
import type { ScopesRepository } from '../scopes/scopes.repository.ts';
import type { ToeView } from '../toes/toes.schemas.ts';
import type { CertificationBodyCredential } from './certification-body-credential.ts';
import type { EvidenceRow, ReportingRepository } from './reporting.repository.ts';

/** What the caller asks for; from and to are date-times (checked by the route's schema). */
export interface BundleRequest {
  scopeVersion?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  window?: string | undefined;
}

/** Requirement results one bundle reads at most (a year of hourly evaluations of a dozen requirements is ~100 000). */
const MAX_RESULTS = 200_000;
const CERTIFICATION_BODY_TIMEOUT_MS = 10_000;
/** Anomaly observations one bundle lists at most. */
const MAX_OBSERVATIONS = 10_000;

const evidenceInput = (row: EvidenceRow): EvidenceInput => ({
  id: row.id,
  sequence: row.sequence,
  kind: row.kind,
  observedAt: row.observedAt.toISOString(),
  receivedAt: row.receivedAt.toISOString(),
  envelopeSha256: row.envelopeSha256,
  statementSha256: row.statementSha256,
  keyid: row.keyid,
  logIndex: logIndexOfReceipt(row.receipt),
  receipt: row.receipt,
  producer: row.predicate.producer ?? null,
  measurements: Array.isArray(row.predicate.measurements) ? row.predicate.measurements : [],
  checks: Array.isArray(row.predicate.checks) ? row.predicate.checks : [],
  raw: row.predicate.raw ?? null,
});

/**
 * The bundle's input read through this service's repositories (the CLI reads the same through the APIs, deciding the
 * scope version and the certificate with the same @cabc/oscal functions). The certificate comes from the
 * certification body, asked with this service's own credential for the caller's organization (never the caller's
 * token): when it refuses or cannot be reached the bundle says nothing of the certificate and a note says why.
 */
export function createOscalBundleSource(deps: {
  repository: ReportingRepository;
  scopes: ScopesRepository;
  findings: FindingsRepository;
  observations: Pick<ObservationsRepository, 'inWindow'>;
  catalog: () => CatalogInput;
  certificationBodyUrl: string;
  credential: CertificationBodyCredential;
}) {
  async function certificateOf(toe: string, scopeVersion: number, org: string) {
    const token = await deps.credential(org);
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(new URL(path, deps.certificationBodyUrl), {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(CERTIFICATION_BODY_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`GET ${path} at the certification body answered ${response.status}`);
      return (await response.json()) as T;
    };
    try {
      return { certificate: await readCertificateInput(get, toe, scopeVersion), note: null };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        certificate: null as CertificateInput | null,
        note: `the bundle says nothing of the certificate (and has no POA&M): ${why}`,
      };
    }
  }

  return {
    async input(
      toe: ToeView,
      request: BundleRequest,
      caller: { org: string },
      now: Date,
      baseUrl: string,
    ): Promise<{ input: OscalBundleInput; notes: string[] }> {
      const versions = await deps.scopes.list(toe.id);
      const scope = chooseApprovedScope(
        toe.id,
        versions.map((version) => ({
          version: version.version,
          state: version.state,
          digest: version.digest,
          document: version.document,
          decidedBy: version.decidedBy,
          decidedAt: version.decidedAt?.toISOString() ?? null,
        })),
        request.scopeVersion,
      );
      const from = new Date(request.from ?? scope.approvedAt);
      const to = request.to ? new Date(request.to) : now;
      const [results, evidence, findings, observations, certificate] = await Promise.all([
        // Results before the approval are of an earlier scope version: the bundle does not use them.
        deps.repository.resultHistory(toe.id, {
          changesOnly: false,
          limit: MAX_RESULTS,
          from: new Date(scope.approvedAt),
          to,
        }),
        deps.repository.evidenceReceivedIn(toe.id, from, to, BUNDLE_LIMITS.maxEvidence),
        deps.findings.list(toe.id),
        deps.observations.inWindow(toe.id, from, to, MAX_OBSERVATIONS),
        certificateOf(toe.id, scope.version, caller.org),
      ]);
      if (results.more) {
        throw new UnprocessableProblem(
          'oscal-bundle-too-large',
          'Bundle too large',
          `the period holds more than ${MAX_RESULTS} requirement results: export a later or shorter period`,
          [{ field: 'query:from', message: 'the period holds too many results' }],
        );
      }
      return {
        input: {
          toe,
          scope,
          results: results.items.map((row) => ({
            id: row.id,
            requirementId: row.requirementId,
            status: row.status,
            previousStatus: row.previousStatus,
            reason: row.reason,
            evidenceIds: row.evidenceIds,
            evaluatedAt: row.evaluatedAt.toISOString(),
          })),
          evidence: evidence.map(evidenceInput),
          findings: findings.map((finding) => ({
            id: finding.id,
            requirementId: finding.requirementId,
            status: finding.status,
            justification: finding.justification,
            validFrom: finding.validFrom.toISOString(),
            validUntil: finding.validUntil.toISOString(),
            recordedBy: finding.recordedBy,
          })),
          observations,
          certificate: certificate.certificate,
          catalog: deps.catalog(),
          assessmentUrl: baseUrl,
          generatedAt: now.toISOString(),
          period: { from: request.from, to: request.to },
          windowLength: request.window,
        },
        notes: certificate.note ? [certificate.note] : [],
      };
    },
  };
}

export type OscalBundleSource = ReturnType<typeof createOscalBundleSource>;
