import { randomUUID } from 'node:crypto';
import type { OutboxProducer, OutboxRepository } from '@cabc/outbox';
import { aggregatePosture, type RuleResult, type ScopeDigests } from '@cabc/rules';
import { postureCallbackRow, type SignCheckpoint } from '../callbacks/posture-callback.ts';
import type { FindingsRepository } from '../findings/findings.repository.ts';
import type { ObservationsService } from '../observations/observations.service.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { applyManualFinding } from './apply-manual-finding.ts';
import type { EvidenceIntegrity } from './evidence-integrity.ts';
import type { EvaluationRepository, RequirementResult } from './evaluation.repository.ts';
import { pinnedArtifacts, pinnedDigests, wantsOf, type InForceScopes } from './in-force-scope.ts';
import { evaluateRequirement, staleAt } from './requirement-evaluation.ts';

export function createEvaluationService(deps: {
  evaluations: EvaluationRepository;
  inForce: InForceScopes;
  toes: ToesRepository;
  findings: FindingsRepository;
  /** The anomaly detectors (docs/anomalies.md): observations for the auditor, and the gate of opted-in requirements. */
  observations?: Pick<ObservationsService, 'observe'>;
  outbox: OutboxRepository;
  producer: OutboxProducer;
  /** Leaves out evidence that does not verify and reports it (docs/keys.md); absent, every row read is assessed. */
  integrity?: EvidenceIntegrity;
  issuer: string;
  audience: string;
  certificationBodyUrl: string;
  /**
   * Signs a ledger checkpoint of the log as it is now (absent without a ledger). Called after the evidence was read,
   * from another connection, so the checkpoint covers every evidence the assessment used.
   */
  checkpoint?: SignCheckpoint;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  const toeArtifactsOf = async (toeId: string) =>
    (await deps.toes.find(toeId))?.artifacts ?? { models: [], datasets: [] };

  return {
    /**
     * Evaluates what one evidence can change (every requirement when no evidence is named: scheduled re-evaluation,
     * a new approval), stores the results, schedules the next time-driven evaluation, and when the ToE's posture
     * changes writes a signed callback to the certification body into the outbox, all in one transaction.
     */
    async evaluate(job: {
      toe: string;
      evidenceId?: string | undefined;
    }): Promise<{ posture: string; changed: boolean }> {
      // One read instead of a transaction when an earlier evaluation of the burst already covered this evidence.
      if (job.evidenceId && !(await deps.evaluations.isPending(job.evidenceId)))
        return { posture: 'covered', changed: false };
      const toeArtifacts = await toeArtifactsOf(job.toe);
      const outcome = await deps.evaluations.transaction(async (trx) => {
        await deps.evaluations.lockToe(job.toe, trx);
        const owed = await deps.evaluations.takePendingEvaluations(job.toe, trx);
        // An evaluation of this ToE that ran after the evidence arrived has already covered it.
        if (job.evidenceId && !owed.some((item) => item.evidenceId === job.evidenceId))
          return { posture: 'covered', outboxId: undefined };
        const inForce = await deps.inForce.of(job.toe, trx);
        if (!inForce) return { posture: 'pending', outboxId: undefined };

        const kinds = new Set(owed.map((item) => item.kind));
        const affected = job.evidenceId
          ? inForce.requirements.filter((entry) => entry.compiled.affectedKinds.some((kind) => kinds.has(kind)))
          : inForce.requirements;
        const evaluatedAt = now();
        // Only evidence about what the version in force pins is assessed under it (docs/initialization.md).
        const artifacts = pinnedArtifacts(inForce.scope, toeArtifacts);
        const digests: ScopeDigests = {
          modelDigests: artifacts.models.map((artifact) => artifact.sha256),
          datasetDigests: artifacts.datasets.map((artifact) => artifact.sha256),
        };
        const loaded = await deps.evaluations.evidenceFor(
          job.toe,
          wantsOf(inForce.requirements),
          inForce.collectorKeyIds,
          pinnedDigests(artifacts),
          trx,
        );
        const screened = deps.integrity
          ? await deps.integrity.screen(job.toe, loaded, trx)
          : { evidence: loaded, openFindings: 0 };
        const evidence = screened.evidence;
        const previous = await deps.evaluations.latestResults(
          job.toe,
          inForce.requirements.map((entry) => entry.requirement.id),
          trx,
        );
        const findings = await deps.findings.activeAt(job.toe, evaluatedAt, trx);
        const gate = deps.observations
          ? await deps.observations.observe({
              toeId: job.toe,
              owedEvidenceIds: owed.map((item) => item.evidenceId),
              inForce,
              artifacts,
              trx,
            })
          : (_entry: unknown, automated: RuleResult) => automated;
        const results: RequirementResult[] = affected.map((entry) => ({
          requirementId: entry.requirement.id,
          evaluatedAt,
          ...applyManualFinding(
            gate(entry, evaluateRequirement(entry, evidence, digests, evaluatedAt)),
            findings.get(entry.requirement.id),
          ),
        }));
        await deps.evaluations.insertResults(job.toe, results, trx);

        // Time alone changes results when evidence leaves a freshness window or a manual finding expires.
        const dues = [
          ...inForce.requirements.map((entry) => staleAt(entry, evidence)),
          ...[...findings.values()].map((finding) => finding.validUntil.getTime()),
        ].filter((at): at is number => at !== undefined && at > evaluatedAt.getTime());
        await deps.evaluations.scheduleNext(job.toe, dues.length > 0 ? new Date(Math.min(...dues) + 1) : null, trx);

        const current = new Map(previous);
        for (const result of results) current.set(result.requirementId, result);
        const summary = aggregatePosture(
          inForce.requirements.map((entry) => ({
            status: current.get(entry.requirement.id)?.status ?? 'pending',
            severity: entry.requirement.severity,
            critical: entry.requirement.critical,
          })),
        );
        // Evidence that does not verify keeps the posture at `error` (unless worse) until it is resolved.
        if (screened.openFindings > 0 && summary.posture !== 'non_compliant') summary.posture = 'error';
        const before = await deps.evaluations.posture(job.toe, trx);
        // Reported again under a newly approved version even when the value stays: its certification starts empty.
        if (before?.posture === summary.posture && before.scopeVersion === inForce.scope.version) {
          return { posture: summary.posture, outboxId: undefined };
        }

        const assessmentId = randomUUID();
        const sequence = (before?.sequence ?? 0) + 1;
        const checkpoint = deps.checkpoint ? await deps.checkpoint() : undefined;
        await deps.evaluations.savePosture(
          {
            toe: job.toe,
            posture: summary.posture,
            scopeVersion: inForce.scope.version,
            sequence,
            assessmentId,
            updatedAt: evaluatedAt,
            criticalFailed: summary.criticalFailed,
          },
          trx,
        );
        // Signed by the outbox delivery at each attempt (send-time signing), with a fresh iat.
        const outboxId = await deps.outbox.add(
          postureCallbackRow(
            deps,
            {
              type: 'posture.changed',
              toe: job.toe,
              scopeVersion: inForce.scope.version,
              sequence,
              assessmentId,
              posture: summary.posture,
              previousPosture: before?.posture ?? null,
              criticalFailed: summary.criticalFailed,
              assessedAt: evaluatedAt.toISOString(),
              changes: results
                .filter((result) => previous.get(result.requirementId)?.status !== result.status)
                .map((result) => ({
                  requirementId: result.requirementId,
                  status: result.status,
                  previousStatus: previous.get(result.requirementId)?.status ?? null,
                  reason: result.reason,
                  evidenceIds: result.evidenceIds,
                })),
            },
            checkpoint,
          ),
          trx,
        );
        return { posture: summary.posture, outboxId };
      });
      if (outcome.outboxId !== undefined) await deps.producer.kick([outcome.outboxId]);
      return { posture: outcome.posture, changed: outcome.outboxId !== undefined };
    },

    dueToes: (limit: number) => deps.evaluations.dueToes(now(), limit),
  };
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;
