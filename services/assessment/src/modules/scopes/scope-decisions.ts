import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { SCOPE_DECISION_TYP, type ScopeDecisionClaims } from '@cabc/contracts';
import type { OutboxRepository } from '@cabc/outbox';
import { unsignedCallbackRow } from '../callbacks/send-time-signing.ts';
import type { ToeView } from '../toes/toes.schemas.ts';
import type { ScopeVersion } from './scopes.repository.ts';

/** Outbox topic shared by every message to the certification body, so they arrive in order per ToE. */
export const CERTIFICATION_BODY_TOPIC = 'certification-body';

export interface ScopeDecisionSender {
  /** Writes the decision to the outbox in the caller's transaction (signed when sent); returns the outbox id. */
  write: (
    decision: {
      type: ScopeDecisionClaims['type'];
      toe: ToeView;
      scope: ScopeVersion;
      decidedBy: string;
      comment: string | null;
      supersededBy: number | null;
    },
    trx: Transaction<any>,
  ) => Promise<number>;
}

export function createScopeDecisionSender(deps: {
  outbox: OutboxRepository;
  issuer: string;
  audience: string;
  certificationBodyUrl: string;
}): ScopeDecisionSender {
  const destination = new URL('/v1/callbacks/scope', deps.certificationBodyUrl).toString();
  return {
    async write(decision, trx) {
      const now = new Date();
      const claims: Omit<ScopeDecisionClaims, 'iat'> = {
        iss: deps.issuer,
        aud: deps.audience,
        jti: randomUUID(),
        type: decision.type,
        toe: decision.toe.id,
        org: decision.toe.org,
        toeName: decision.toe.name,
        scopeVersion: decision.scope.version,
        scopeDigest: decision.scope.digest,
        decidedAt: now.toISOString(),
        decidedBy: decision.decidedBy,
        comment: decision.comment,
        requirements: decision.scope.document.requirements.map((requirement) => ({
          id: requirement.id,
          title: requirement.title,
          severity: requirement.severity,
          critical: requirement.critical,
        })),
        ...(decision.scope.document.artifacts ? { artifacts: decision.scope.document.artifacts } : {}),
        supersededBy: decision.supersededBy,
      };
      return deps.outbox.add(
        unsignedCallbackRow(
          { typ: SCOPE_DECISION_TYP, claims },
          { topic: CERTIFICATION_BODY_TOPIC, orderingKey: decision.toe.id, destination },
        ),
        trx,
      );
    },
  };
}
