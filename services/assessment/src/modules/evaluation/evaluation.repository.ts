import { sql, type Kysely, type Transaction } from 'kysely';
import type { EvidencePredicate, Posture, RequirementStatus } from '@cabc/contracts';

interface EvaluationDatabase {
  evidence: { id: string; toe: string; kind: string; predicate: EvidencePredicate; observed_at: Date; received_at: Date };
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
  postures: { toe: string; posture: Posture; sequence: number; assessment_id: string; updated_at: Date };
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

    async evidenceKind(evidenceId: string): Promise<string | undefined> {
      const row = await db.selectFrom('evidence').select('kind').where('id', '=', evidenceId).executeTakeFirst();
      return row?.kind;
    },

    /** Newest evidence of a kind for a ToE: latest observation, ties broken by arrival. */
    async newestEvidence(toe: string, kind: string, trx?: Transaction<any>) {
      const row = await on(trx)
        .selectFrom('evidence')
        .select(['id', 'predicate', 'observed_at'])
        .where('toe', '=', toe)
        .where('kind', '=', kind)
        .orderBy('observed_at', 'desc')
        .orderBy('received_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? { id: row.id, predicate: row.predicate, observedAt: row.observed_at } : undefined;
    },

    async latestResults(toe: string, trx?: Transaction<any>): Promise<Map<string, RequirementResult>> {
      const rows = await on(trx)
        .selectFrom('requirement_results')
        .selectAll()
        .distinctOn('requirement_id')
        .where('toe', '=', toe)
        .orderBy('requirement_id')
        .orderBy('id', 'desc')
        .execute();
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
        ? { toe: row.toe, posture: row.posture, sequence: row.sequence, assessmentId: row.assessment_id, updatedAt: row.updated_at }
        : undefined;
    },

    async savePosture(record: PostureRecord, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<EvaluationDatabase>)
        .insertInto('postures')
        .values({
          toe: record.toe,
          posture: record.posture,
          sequence: record.sequence,
          assessment_id: record.assessmentId,
          updated_at: record.updatedAt,
        })
        .onConflict((oc) =>
          oc.column('toe').doUpdateSet({
            posture: record.posture,
            sequence: record.sequence,
            assessment_id: record.assessmentId,
            updated_at: record.updatedAt,
          }),
        )
        .execute();
    },

    async completePendingEvaluation(evidenceId: string, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<EvaluationDatabase>).deleteFrom('pending_evaluations').where('evidence_id', '=', evidenceId).execute();
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
