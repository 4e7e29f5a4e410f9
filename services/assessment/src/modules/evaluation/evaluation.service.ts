import { randomUUID } from 'node:crypto';
import {
  POSTURE_CALLBACK_TYP,
  type PostureCallbackClaims,
  type RequirementStatus,
} from '@cabc/contracts';
import { signJwt, type SigningKeyStore } from '@cabc/crypto';
import type { OutboxProducer, OutboxRepository } from '@cabc/outbox';
import { aggregatePosture } from './aggregate-posture.ts';
import { evaluateThreshold } from './evaluate-threshold.ts';
import type { EvaluationRepository, RequirementResult } from './evaluation.repository.ts';
import type { Requirement } from './requirements.ts';

export function createEvaluationService(deps: {
  evaluations: EvaluationRepository;
  outbox: OutboxRepository;
  producer: OutboxProducer;
  keys: SigningKeyStore;
  requirements: readonly Requirement[];
  issuer: string;
  audience: string;
  certificationBodyUrl: string;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const callbackUrl = new URL('/v1/callbacks/assessment', deps.certificationBodyUrl).toString();

  /** Only requirements fed by the evidence's kind are re-evaluated; an unknown kind re-evaluates all. */
  const affectedBy = (kind: string | undefined) =>
    kind === undefined ? deps.requirements : deps.requirements.filter((requirement) => requirement.rule.selector.kind === kind);

  return {
    /**
     * Evaluates what one evidence can change, stores the results, and when the ToE's posture changes writes a signed
     * callback to the certification body into the outbox, all in one transaction.
     */
    async evaluate(job: { toe: string; evidenceId: string }): Promise<{ posture: string; changed: boolean }> {
      const kind = await deps.evaluations.evidenceKind(job.evidenceId);
      const key = await deps.keys.active();
      const outcome = await deps.evaluations.transaction(async (trx) => {
        await deps.evaluations.lockToe(job.toe, trx);
        const previous = await deps.evaluations.latestResults(job.toe, trx);
        const evaluatedAt = now();
        const results: RequirementResult[] = [];
        for (const requirement of affectedBy(kind)) {
          const newest = await deps.evaluations.newestEvidence(job.toe, requirement.rule.selector.kind, trx);
          results.push({ requirementId: requirement.id, evaluatedAt, ...evaluateThreshold(requirement, newest) });
        }
        await deps.evaluations.insertResults(job.toe, results, trx);
        await deps.evaluations.completePendingEvaluation(job.evidenceId, trx);

        const current = new Map(previous);
        for (const result of results) current.set(result.requirementId, result);
        const statuses: RequirementStatus[] = deps.requirements.map((requirement) => current.get(requirement.id)?.status ?? 'pending');
        const posture = aggregatePosture(statuses);
        const before = await deps.evaluations.posture(job.toe, trx);
        if (before?.posture === posture) return { posture, outboxId: undefined };

        const assessmentId = randomUUID();
        const sequence = (before?.sequence ?? 0) + 1;
        await deps.evaluations.savePosture({ toe: job.toe, posture, sequence, assessmentId, updatedAt: evaluatedAt }, trx);
        const claims: PostureCallbackClaims = {
          iss: deps.issuer,
          aud: deps.audience,
          iat: Math.floor(evaluatedAt.getTime() / 1000),
          jti: randomUUID(),
          type: 'posture.changed',
          toe: job.toe,
          sequence,
          assessmentId,
          posture,
          previousPosture: before?.posture ?? null,
          criticalFailed: deps.requirements.some(
            (requirement) => requirement.critical && current.get(requirement.id)?.status === 'non_compliant',
          ),
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
        };
        const token = await signJwt(claims, key, { typ: POSTURE_CALLBACK_TYP });
        const outboxId = await deps.outbox.add(
          { topic: 'posture-callback', orderingKey: job.toe, destination: callbackUrl, contentType: 'application/jose', body: token },
          trx,
        );
        return { posture, outboxId };
      });
      if (outcome.outboxId !== undefined) await deps.producer.kick([outcome.outboxId]);
      return { posture: outcome.posture, changed: outcome.outboxId !== undefined };
    },
  };
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;
