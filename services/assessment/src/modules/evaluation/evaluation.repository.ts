import { sql, type Kysely, type Transaction } from 'kysely';
import type { EvidencePredicate, Posture, RequirementStatus } from '@cabc/contracts';
import type { EvidenceRecord } from '@cabc/rules';

interface EvaluationDatabase {
  evidence: {
    id: string;
    toe: string;
    kind: string;
    subjects: EvidenceRecord['subjects'];
    predicate: EvidencePredicate;
    observed_at: Date;
    received_at: Date;
  };
  evaluation_schedule: { toe_id: string; due_at: Date };
  pending_evaluations: { evidence_id: string; toe: string; created_at: Date };
  requirement_results: {
    id: number;
    toe: string;
    requirement_id: string;
    status: RequirementStatus;
    reason: string;
    details: unknown;
    evidence_ids: string[];
    evaluated_at: Date;
  };
  postures: {
    toe: string;
    posture: Posture;
    scope_version: number | null;
    sequence: number;
    assessment_id: string;
    updated_at: Date;
  };
}

export interface RequirementResult {
  requirementId: string;
  status: RequirementStatus;
  reason: string;
  details: unknown;
  evidenceIds: string[];
  evaluatedAt: Date;
}

export interface PostureRecord {
  toe: string;
  posture: Posture;
  /** The scope version it was reported under. */
  scopeVersion: number | null;
  sequence: number;
  assessmentId: string;
  updatedAt: Date;
}

type Executor = Kysely<EvaluationDatabase> | Transaction<EvaluationDatabase>;

export function createEvaluationRepository(database: Kysely<any>) {
  const db = database as Kysely<EvaluationDatabase>;
  const on = (trx?: Transaction<any>): Executor => (trx as Transaction<EvaluationDatabase> | undefined) ?? db;

  return {
    transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => db.transaction().execute(work),

    /** Serializes evaluations of one ToE across workers and replicas, for the length of the transaction. */
    async lockToe(toe: string, trx: Transaction<any>): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext(${`cabc:toe:${toe}`}))`.execute(trx);
    },

    /**
     * The newest evidence of each kind, as deep as `depthByKind` says, as the rule engine reads it (one index scan per
     * kind); only evidence signed by one of `keyids` (the collector keys of the scope it is judged under).
     */
    async evidenceOfKinds(
      toe: string,
      depthByKind: ReadonlyMap<string, number>,
      keyids: readonly string[],
      trx?: Transaction<any>,
    ): Promise<EvidenceRecord[]> {
      if (depthByKind.size === 0 || keyids.length === 0) return [];
      const kinds = [...depthByKind.keys()];
      const depths = kinds.map((kind) => depthByKind.get(kind)!);
      const { rows } = await sql<{
        id: string;
        subjects: EvidenceRecord['subjects'];
        predicate: EvidencePredicate;
        received_at: Date;
      }>`
        select e.id, e.subjects, e.predicate, e.received_at
          from unnest(${kinds}::text[], ${depths}::int[]) as wanted(kind, depth)
          cross join lateral (
            select id, subjects, predicate, received_at
              from evidence
             where toe = ${toe} and kind = wanted.kind and keyid = any(${[...keyids]}::text[])
             order by observed_at desc, received_at desc
             limit wanted.depth
          ) e`.execute(on(trx));
      return rows.map((row) => ({
        id: row.id,
        receivedAt: row.received_at,
        subjects: row.subjects,
        predicate: row.predicate,
      }));
    },

    /** Whether the evidence still waits for its evaluation (a burst's other jobs find it covered, cheaply). */
    async isPending(evidenceId: string): Promise<boolean> {
      const row = await db
        .selectFrom('pending_evaluations')
        .select('evidence_id')
        .where('evidence_id', '=', evidenceId)
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Takes every evaluation the ToE owes (deleting the rows) with the kinds of their evidence. Whoever evaluates the
     * ToE next covers all of them, so a burst of evidence costs one evaluation, not one each.
     */
    async takePendingEvaluations(toe: string, trx: Transaction<any>): Promise<{ evidenceId: string; kind: string }[]> {
      const { rows } = await sql<{ evidence_id: string; kind: string }>`
        delete from pending_evaluations p using evidence e
         where p.evidence_id = e.id and p.toe = ${toe}
        returning p.evidence_id, e.kind`.execute(trx);
      return rows.map((row) => ({ evidenceId: row.evidence_id, kind: row.kind }));
    },

    async scheduleNext(toe: string, dueAt: Date | null, trx: Transaction<any>): Promise<void> {
      const executor = trx as Transaction<EvaluationDatabase>;
      if (dueAt === null) {
        await executor.deleteFrom('evaluation_schedule').where('toe_id', '=', toe).execute();
        return;
      }
      await executor
        .insertInto('evaluation_schedule')
        .values({ toe_id: toe, due_at: dueAt })
        .onConflict((oc) => oc.column('toe_id').doUpdateSet({ due_at: dueAt }))
        .execute();
    },

    async dueToes(now: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('evaluation_schedule')
        .select('toe_id')
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.toe_id);
    },

    /** The newest result of each requirement: one index probe per requirement, however long the history. */
    async latestResults(
      toe: string,
      requirementIds: readonly string[],
      trx?: Transaction<any>,
    ): Promise<Map<string, RequirementResult>> {
      if (requirementIds.length === 0) return new Map();
      const { rows } = await sql<EvaluationDatabase['requirement_results']>`
        select r.*
          from unnest(${[...requirementIds]}::text[]) as wanted(requirement_id)
          cross join lateral (
            select * from requirement_results
             where toe = ${toe} and requirement_id = wanted.requirement_id
             order by id desc
             limit 1
          ) r`.execute(on(trx));
      return new Map(
        rows.map((row) => [
          row.requirement_id,
          {
            requirementId: row.requirement_id,
            status: row.status,
            reason: row.reason,
            details: row.details,
            evidenceIds: row.evidence_ids,
            evaluatedAt: row.evaluated_at,
          },
        ]),
      );
    },

    async insertResults(toe: string, results: RequirementResult[], trx: Transaction<any>): Promise<void> {
      if (results.length === 0) return;
      await (trx as Transaction<EvaluationDatabase>)
        .insertInto('requirement_results')
        .values(
          results.map((result) => ({
            toe,
            requirement_id: result.requirementId,
            status: result.status,
            reason: result.reason,
            details: JSON.stringify(result.details),
            evidence_ids: JSON.stringify(result.evidenceIds) as never,
            evaluated_at: result.evaluatedAt,
          })) as never,
        )
        .execute();
    },

    async posture(toe: string, trx?: Transaction<any>): Promise<PostureRecord | undefined> {
      const row = await on(trx).selectFrom('postures').selectAll().where('toe', '=', toe).executeTakeFirst();
      return row
        ? {
            toe: row.toe,
            posture: row.posture,
            scopeVersion: row.scope_version,
            sequence: row.sequence,
            assessmentId: row.assessment_id,
            updatedAt: row.updated_at,
          }
        : undefined;
    },

    async savePosture(record: PostureRecord, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<EvaluationDatabase>)
        .insertInto('postures')
        .values({
          toe: record.toe,
          posture: record.posture,
          scope_version: record.scopeVersion,
          sequence: record.sequence,
          assessment_id: record.assessmentId,
          updated_at: record.updatedAt,
        })
        .onConflict((oc) =>
          oc.column('toe').doUpdateSet({
            posture: record.posture,
            scope_version: record.scopeVersion,
            sequence: record.sequence,
            assessment_id: record.assessmentId,
            updated_at: record.updatedAt,
          }),
        )
        .execute();
    },

    async pendingEvaluations(olderThan: Date, limit: number): Promise<{ toe: string; evidenceId: string }[]> {
      const rows = await db
        .selectFrom('pending_evaluations')
        .select(['toe', 'evidence_id'])
        .where('created_at', '<', olderThan)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ toe: row.toe, evidenceId: row.evidence_id }));
    },
  };
}

export type EvaluationRepository = ReturnType<typeof createEvaluationRepository>;
