import type { RequirementStatus } from '@cabc/contracts';
import { logIndexOfReceipt } from '../ledger/receipt-log-index.ts';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { InForceScopes } from '../evaluation/in-force-scope.ts';
import type { ObservationsRepository, StoredObservation } from '../observations/observations.repository.ts';
import type { ScopeRequirement } from '../scopes/scope-document.schema.ts';
import type { ToeView } from '../toes/toes.schemas.ts';
import type { CertificateHistory, CertificateHistorySource } from './certificate-history.ts';
import type { ReportingRepository, ResultRow, SeriesPoint } from './reporting.repository.ts';
import { assertEvidenceWithinLimit, REPORT_LIMITS, type ReportWindow } from './report-window.ts';
import { thresholdsOf, type Threshold } from './series.ts';

export interface ReportEvidence {
  id: string;
  sequence: number;
  kind: string;
  observedAt: Date;
  receivedAt: Date;
  envelopeSha256: string;
  statementSha256: string;
  keyid: string;
  logIndex: number | null;
  producer: { tool?: string; toolVersion?: string; pipelineRunId?: string } | undefined;
  measurements: { name: string; value: unknown; unit?: string; slice?: string }[];
  checks: { name: string; status: string }[];
  raw: { digest: { sha256: string }; mediaType: string; uri?: string } | undefined;
  subjects: { name?: string; digest?: Record<string, string> }[];
}

export interface RequirementReport {
  requirement: ScopeRequirement;
  /** The result in force at the end of the window (the newest evaluated before it ends). */
  final: ResultRow | undefined;
  counts: Record<RequirementStatus, number>;
  /** Status changes within the window, oldest first. */
  changes: { at: Date; from: RequirementStatus | null; to: RequirementStatus; reason: string; evidenceIds: string[] }[];
  /** Ids of evidence that any non-compliant result in the window rested on. */
  failingEvidenceIds: string[];
  charts: { threshold: Threshold; points: SeriesPoint[]; downsampled: boolean; total: number }[];
}

export interface ReportData {
  generatedAt: Date;
  window: ReportWindow;
  toe: ToeView;
  scope: { version: number; digest: string; approvedAt: Date | null; approvedBy: string | null; risks: any[] } | null;
  posture: { posture: string; sequence: number; updatedAt: Date | null };
  requirements: RequirementReport[];
  evidence: ReportEvidence[];
  certificates: CertificateHistory;
  audit: {
    id: number;
    actor: string;
    role: string;
    action: string;
    entity: string;
    comment: string | null;
    at: Date;
  }[];
  /** Anomaly observations raised in the window, oldest first (docs/anomalies.md). */
  observations: StoredObservation[];
}

const CHART_BUCKETS = 160;
/** Most anomaly observations one report lists. */
const MAX_OBSERVATIONS = 1_000;

export function createReportData(deps: {
  repository: ReportingRepository;
  evaluations: EvaluationRepository;
  inForce: InForceScopes;
  certificates: CertificateHistorySource;
  observations: Pick<ObservationsRepository, 'inWindow'>;
}) {
  return {
    async build(toe: ToeView, window: ReportWindow, caller: { org: string }, now: Date): Promise<ReportData> {
      assertEvidenceWithinLimit(await deps.repository.countEvidenceInWindow(toe.id, window.from, window.to), window);
      const [inForce, posture, evidenceRows, certificates, audit, observations] = await Promise.all([
        deps.inForce.of(toe.id),
        deps.evaluations.posture(toe.id),
        deps.repository.evidenceInWindow(toe.id, window.from, window.to, REPORT_LIMITS.maxEvidence),
        deps.certificates.of(toe.id, caller.org),
        deps.repository.auditEvents(caller.org, toe.id, window.from, window.to, 1_000),
        deps.observations.inWindow(toe.id, window.from, window.to, MAX_OBSERVATIONS),
      ]);
      const requirements: RequirementReport[] = [];
      for (const { requirement } of inForce?.requirements ?? []) {
        const history = await deps.repository.resultHistory(toe.id, {
          requirementId: requirement.id,
          changesOnly: false,
          limit: 10_000,
          to: window.to,
        });
        const inWindow = history.items.filter((row) => row.evaluatedAt >= window.from);
        const counts: Record<RequirementStatus, number> = { compliant: 0, non_compliant: 0, pending: 0, error: 0 };
        for (const row of inWindow) counts[row.status] += 1;
        const changes = [...inWindow]
          .reverse()
          .filter((row) => row.previousStatus !== row.status)
          .map((row) => ({
            at: row.evaluatedAt,
            from: row.previousStatus,
            to: row.status,
            reason: row.reason,
            evidenceIds: row.evidenceIds,
          }));
        const failing = new Set<string>();
        for (const row of inWindow)
          if (row.status === 'non_compliant') for (const id of row.evidenceIds) failing.add(id);
        const charts = [];
        for (const threshold of thresholdsOf([requirement])) {
          const filter = { toe: toe.id, ...threshold.selector, from: window.from, to: window.to };
          const total = await deps.repository.countSeries(filter);
          const downsampled = total > CHART_BUCKETS * 4;
          const points = downsampled
            ? await deps.repository.downsampledSeries(filter, CHART_BUCKETS)
            : await deps.repository.series(filter);
          charts.push({ threshold, points, downsampled, total });
        }
        requirements.push({
          requirement,
          final: history.items[0],
          counts,
          changes,
          failingEvidenceIds: [...failing],
          charts,
        });
      }
      const approval = inForce?.scope;
      return {
        generatedAt: now,
        window,
        toe,
        scope: approval
          ? {
              version: approval.version,
              digest: approval.digest,
              approvedAt: approval.decidedAt,
              approvedBy: approval.decidedBy,
              risks: (approval.document as any).risks ?? [],
            }
          : null,
        posture: {
          posture: posture?.posture ?? 'pending',
          sequence: posture?.sequence ?? 0,
          updatedAt: posture?.updatedAt ?? null,
        },
        requirements,
        evidence: evidenceRows.slice(0, REPORT_LIMITS.maxEvidence).map((row) => ({
          id: row.id,
          sequence: row.sequence,
          kind: row.kind,
          observedAt: row.observedAt,
          receivedAt: row.receivedAt,
          envelopeSha256: row.envelopeSha256,
          statementSha256: row.statementSha256,
          keyid: row.keyid,
          logIndex: logIndexOfReceipt(row.receipt),
          producer: row.predicate?.producer,
          measurements: Array.isArray(row.predicate?.measurements) ? row.predicate.measurements : [],
          checks: Array.isArray(row.predicate?.checks) ? row.predicate.checks : [],
          raw: row.predicate?.raw,
          subjects: Array.isArray(row.subjects) ? (row.subjects as ReportEvidence['subjects']) : [],
        })),
        certificates,
        audit,
        observations,
      };
    },
  };
}

export type ReportDataBuilder = ReturnType<typeof createReportData>;
