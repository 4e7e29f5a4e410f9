import type { Transaction } from 'kysely';
import type { AnomalyScope } from '@cabc/anomaly';
import type { Principal } from '@cabc/auth';
import { canonicalJson, sha256Hex } from '@cabc/crypto';
import { ConflictProblem, NotFoundProblem } from '@cabc/http-kit';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { InForceScope } from '../evaluation/in-force-scope.ts';
import type { FindingInput, FindingsService } from '../findings/findings.service.ts';
import type { ScopeArtifacts } from '../scopes/scope-document.schema.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { anomalyGateOf, type AnomalyGate } from './anomaly-gate.ts';
import { anomalyScopeOf } from './anomaly-scope.ts';
import type { AnomalyStates } from './anomaly-states.ts';
import type { ObservationsRepository, ObservationState, StoredObservation } from './observations.repository.ts';

export interface ConfirmInput {
  requirementId: string;
  status: 'non_compliant' | 'error';
  validUntil: string;
  comment?: string | undefined;
}

export function createObservationsService(deps: {
  observations: ObservationsRepository;
  states: AnomalyStates;
  toes: ToesRepository;
  audit: AuditRepository;
  findings: FindingsService;
  lockToe: (toeId: string, trx: Transaction<any>) => Promise<void>;
  transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => Promise<T>;
  /** Re-evaluates the ToE after a decision commits: a confirmed finding or a dismissed gate takes effect at once. */
  onDecided: (toeId: string) => Promise<void>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  // An approved version never changes, nor do the approvals before it: one detector scope per version.
  const scopes = new Map<string, AnomalyScope>();
  const scopeOf = async (toeId: string, inForce: InForceScope, artifacts: ScopeArtifacts, trx: Transaction<any>) => {
    let scope = scopes.get(inForce.scope.id);
    if (!scope) {
      scope = anomalyScopeOf(inForce, artifacts, await deps.observations.approvals(toeId, trx));
      if (scopes.size >= 256) scopes.delete(scopes.keys().next().value!);
      scopes.set(inForce.scope.id, scope);
    }
    return scope;
  };

  const openOne = async (principal: Principal, toeId: string, observationId: string, trx: Transaction<any>) => {
    const toe = await deps.toes.findInOrg(toeId, principal.org, trx);
    if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
    const observation = await deps.observations.find(toeId, observationId, trx);
    if (!observation) {
      throw new NotFoundProblem(`no observation ${observationId} on ToE ${toeId}`, [
        { field: 'path:observationId', message: 'unknown observation' },
      ]);
    }
    if (observation.state !== 'open') {
      throw new ConflictProblem(`observation ${observationId} is already ${observation.state}`, {
        state: observation.state,
      });
    }
    return { toe, observation };
  };

  const digestOf = (observation: StoredObservation) =>
    sha256Hex(
      canonicalJson({
        ...observation,
        decidedAt: observation.decidedAt?.toISOString() ?? null,
        createdAt: observation.createdAt.toISOString(),
      }),
    );

  return {
    /**
     * The evaluation's one call: folds the ToE's new evidence into its detector state, stores the observations it
     * raises, and answers the gate of the requirements that opted in to "an open anomaly counts as pending". Runs in
     * the evaluation's transaction, under the ToE's lock.
     */
    async observe(input: {
      toeId: string;
      owedEvidenceIds: readonly string[];
      inForce: InForceScope;
      artifacts: ScopeArtifacts;
      trx: Transaction<any>;
    }): Promise<AnomalyGate> {
      const { toeId, inForce, trx } = input;
      const scope = await scopeOf(toeId, inForce, input.artifacts, trx);
      const { observations: raised } = await deps.states.advance(toeId, input.owedEvidenceIds, scope, trx);
      await deps.observations.insert(toeId, inForce.scope.version, raised, trx);
      const scores = inForce.requirements.flatMap((entry) => entry.requirement.anomalies?.pendingAtScore ?? []);
      if (scores.length === 0) return anomalyGateOf([]);
      return anomalyGateOf(await deps.observations.openAtOrAbove(toeId, Math.min(...scores), trx));
    },

    async list(principal: Principal, toeId: string, filter: { state?: ObservationState }) {
      if (!(await deps.toes.findInOrg(toeId, principal.org))) {
        throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      }
      return deps.observations.list(toeId, filter);
    },

    /** Turns the observation into a manual finding (the findings service's own checks and audit event) in one go. */
    async confirm(principal: Principal, toeId: string, observationId: string, input: ConfirmInput) {
      const decided = await deps.transaction(async (trx) => {
        await deps.lockToe(toeId, trx);
        const { toe, observation } = await openOne(principal, toeId, observationId, trx);
        const finding: FindingInput = {
          requirementId: input.requirementId,
          status: input.status,
          validUntil: input.validUntil,
          justification:
            `confirmed anomaly observation ${observation.id} (${observation.signal}, score ` +
            `${observation.score.toFixed(3)}): ${input.comment ?? observation.explanation}`.slice(0, 8192),
        };
        const recorded = await deps.findings.recordIn(principal, toeId, finding, trx);
        const at = now();
        const reason = input.comment ?? `confirmed as a manual finding on ${input.requirementId}`;
        await deps.observations.decide(
          observation.id,
          { state: 'confirmed', by: principal.subject, at, reason, findingId: recorded.id },
          trx,
        );
        const after: StoredObservation = {
          ...observation,
          state: 'confirmed',
          decidedBy: principal.subject,
          decidedAt: at,
          decisionReason: reason,
          findingId: recorded.id,
        };
        await deps.audit.record(
          {
            org: toe.org,
            toeId,
            actor: principal.subject,
            role: principal.role,
            action: 'observation.confirmed',
            entity: `observation:${observation.id}`,
            beforeDigest: digestOf(observation),
            afterDigest: digestOf(after),
            comment: `${observation.signal} → finding ${recorded.id} (${input.requirementId} ${input.status} until ${recorded.validUntil.toISOString()}): ${reason}`,
          },
          trx,
        );
        return after;
      });
      await deps.onDecided(toeId);
      return decided;
    },

    async dismiss(principal: Principal, toeId: string, observationId: string, input: { reason: string }) {
      const decided = await deps.transaction(async (trx) => {
        await deps.lockToe(toeId, trx);
        const { toe, observation } = await openOne(principal, toeId, observationId, trx);
        const at = now();
        await deps.observations.decide(
          observation.id,
          { state: 'dismissed', by: principal.subject, at, reason: input.reason, findingId: null },
          trx,
        );
        const after: StoredObservation = {
          ...observation,
          state: 'dismissed',
          decidedBy: principal.subject,
          decidedAt: at,
          decisionReason: input.reason,
        };
        await deps.audit.record(
          {
            org: toe.org,
            toeId,
            actor: principal.subject,
            role: principal.role,
            action: 'observation.dismissed',
            entity: `observation:${observation.id}`,
            beforeDigest: digestOf(observation),
            afterDigest: digestOf(after),
            comment: `${observation.signal}: ${input.reason}`,
          },
          trx,
        );
        return after;
      });
      await deps.onDecided(toeId);
      return decided;
    },
  };
}

export type ObservationsService = ReturnType<typeof createObservationsService>;
