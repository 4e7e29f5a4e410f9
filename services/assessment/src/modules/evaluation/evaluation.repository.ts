import { sql, type Kysely, type Transaction } from 'kysely';
import type { EvidencePredicate, Posture, RequirementStatus } from '@cabc/contracts';
import type { EvidenceRecord, EvidenceWant, VerifiedAttestation } from '@cabc/rules';

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
    critical_failed: boolean;
    stated_at: Date;
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
  criticalFailed: boolean;
  /** When it was last stated to the certification body: by the evaluation that set it, or by the heartbeat since. */
  statedAt: Date;
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
     * The evidence the rules read (evidenceWants of @cabc/rules): per want, the newest of its kind (that carries the
     * selector's measurement, when it has a match) as deep as it says, each evidence once. Only evidence signed by one
     * of `keyids` (the collector keys of the scope it is judged under) and, when the scope pins artifacts, only
     * evidence about them (`pinned`, lowercase sha256). One index scan per want.
     */
    async evidenceFor(
      toe: string,
      wants: readonly EvidenceWant[],
      keyids: readonly string[],
      pinned: readonly string[],
      trx?: Transaction<any>,
    ): Promise<EvidenceRecord[]> {
      if (wants.length === 0 || keyids.length === 0) return [];
      const wanted = JSON.stringify(
        wants.map((want) => ({ kind: want.kind, depth: want.depth, match: want.match ?? null })),
      );
      const { rows } = await sql<{
        id: string;
        subjects: EvidenceRecord['subjects'];
        predicate: EvidencePredicate;
        attestations: VerifiedAttestation[] | null;
        received_at: Date;
      }>`
        select e.id, e.subjects, e.predicate, e.attestations, e.received_at
          from jsonb_to_recordset(${wanted}::jsonb) as wanted(kind text, depth int, match jsonb)
          cross join lateral (
            select id, subjects, predicate, attestations, received_at
              from evidence
             where toe = ${toe} and kind = wanted.kind and keyid = any(${[...keyids]}::text[])
               and (cardinality(${[...pinned]}::text[]) = 0 or not exists (
                     select 1 from jsonb_array_elements(subjects) s
                      where not (lower(s->'digest'->>'sha256') = any(${[...pinned]}::text[]))))
               and (wanted.match is null or (
                     (wanted.match->'dataset' is null or predicate->'context'->>'dataset' = wanted.match->>'dataset')
                 and (wanted.match->'split' is null or predicate->'context'->>'split' = wanted.match->>'split')
                 and (wanted.match->'tools' is null or wanted.match->'tools' ? (predicate->'producer'->>'tool'))
                 and (wanted.match->'subject' is null or exists (
                       select 1 from jsonb_array_elements(subjects) s
                        where (wanted.match->'subject'->'name' is null or s->>'name' = wanted.match->'subject'->>'name')
                          and (wanted.match->'subject'->'sha256' is null
                               or lower(s->'digest'->>'sha256') = wanted.match->'subject'->>'sha256')))
                 and exists (
                       select 1 from jsonb_array_elements(predicate->'measurements') m
                        where wanted.match->'metrics' ? (m->>'name')
                          and coalesce(m->>'slice', predicate->'context'->>'slice')
                              is not distinct from wanted.match->>'slice')))
             order by observed_at desc, received_at desc
             limit wanted.depth
          ) e`.execute(on(trx));
      const seen = new Set<string>();
      return rows.flatMap((row) => {
        if (seen.has(row.id)) return [];
        seen.add(row.id);
        return [
          {
            id: row.id,
            receivedAt: row.received_at,
            subjects: row.subjects,
            predicate: row.predicate,
            ...(row.attestations ? { attestations: row.attestations } : {}),
          },
        ];
      });
    },

    /** Which of `names` some evidence of the ToE of this kind ever carried as a measurement (for "never seen"). */
    async seenMetricNames(toe: string, kind: string, names: readonly string[]): Promise<Set<string>> {
      if (names.length === 0) return new Set();
      const { rows } = await sql<{ name: string }>`
        select wanted.name from unnest(${[...names]}::text[]) as wanted(name)
         where exists (
           select 1 from evidence
            where toe = ${toe} and kind = ${kind}
              and predicate->'measurements' @> jsonb_build_array(jsonb_build_object('name', wanted.name)))`.execute(db);
      return new Set(rows.map((row) => row.name));
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
            criticalFailed: row.critical_failed,
            statedAt: row.stated_at,
          }
        : undefined;
    },

    /** Saves the posture an evaluation decided, which states it to the certification body in the same transaction. */
    async savePosture(record: Omit<PostureRecord, 'statedAt'>, trx: Transaction<any>): Promise<void> {
      const columns = {
        posture: record.posture,
        scope_version: record.scopeVersion,
        sequence: record.sequence,
        assessment_id: record.assessmentId,
        updated_at: record.updatedAt,
        critical_failed: record.criticalFailed,
        stated_at: record.updatedAt,
      };
      await (trx as Transaction<EvaluationDatabase>)
        .insertInto('postures')
        .values({ toe: record.toe, ...columns })
        .onConflict((oc) => oc.column('toe').doUpdateSet(columns))
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
