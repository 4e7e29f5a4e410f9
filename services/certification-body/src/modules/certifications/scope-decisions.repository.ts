import type { Kysely, Transaction } from 'kysely';
import type { ScopeDecisionClaims } from '@cabc/contracts';

interface ScopeDecisionsDatabase {
  scope_decisions: {
    id?: number;
    jti: string;
    type: ScopeDecisionClaims['type'];
    toe: string;
    org: string;
    toe_name: string;
    scope_version: number;
    scope_digest: string;
    decided_at: Date;
    decided_by: string;
    comment: string | null;
    requirements: unknown;
    superseded_by: number | null;
    outcome: string;
    certification_id: string | null;
    received_at: Date;
  };
}

/** Every verified scope decision of the auditor, with what the certification body did about it (append-only). */
export function createScopeDecisionsRepository(database: Kysely<any>) {
  const db = database as Kysely<ScopeDecisionsDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<ScopeDecisionsDatabase> | undefined) ?? db;
  return {
    async record(
      claims: ScopeDecisionClaims,
      result: { outcome: string; certificationId: string | null },
      at: Date,
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .insertInto('scope_decisions')
        .values({
          jti: claims.jti,
          type: claims.type,
          toe: claims.toe,
          org: claims.org,
          toe_name: claims.toeName,
          scope_version: claims.scopeVersion,
          scope_digest: claims.scopeDigest,
          decided_at: new Date(claims.decidedAt),
          decided_by: claims.decidedBy,
          comment: claims.comment,
          requirements: JSON.stringify(claims.requirements) as never,
          superseded_by: claims.supersededBy,
          outcome: result.outcome,
          certification_id: result.certificationId,
          received_at: at,
        })
        .execute();
    },

    /** Whether the auditor declared this version superseded (it can then never be approved again). */
    async wasSuperseded(toe: string, scopeVersion: number, trx: Transaction<any>): Promise<boolean> {
      const row = await on(trx)
        .selectFrom('scope_decisions')
        .select('id')
        .where('toe', '=', toe)
        .where('scope_version', '=', scopeVersion)
        .where('type', '=', 'scope.superseded')
        .executeTakeFirst();
      return row !== undefined;
    },

    async list(toe: string, limit: number) {
      return db
        .selectFrom('scope_decisions')
        .selectAll()
        .where('toe', '=', toe)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
  };
}

export type ScopeDecisionsRepository = ReturnType<typeof createScopeDecisionsRepository>;
