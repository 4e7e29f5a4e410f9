import { randomUUID } from 'node:crypto';
import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AnomalyEvidence, Observation, ObservationDetail, SignalKind } from '@cabc/anomaly';
import type { EvidenceKind, EvidencePredicate } from '@cabc/contracts';

export const observationStates = ['open', 'confirmed', 'dismissed'] as const;
export type ObservationState = (typeof observationStates)[number];

interface ObservationsDatabase {
  observations: {
    id: string;
    toe_id: string;
    evidence_id: string;
    signal: SignalKind;
    kind: EvidenceKind;
    score: number;
    evidence_ids: string[];
    explanation: string;
    details: Record<string, ObservationDetail>;
    scope_version: number;
    state: Generated<ObservationState>;
    decided_by: string | null;
    decided_at: Date | null;
    decision_reason: string | null;
    finding_id: string | null;
    created_at: Generated<Date>;
  };
  anomaly_states: {
    toe_id: string;
    state: unknown;
    snapshot_sequence: string;
    observed_sequence: string;
    updated_at: Date;
  };
  scope_versions: { toe_id: string; version: number; state: string; decided_at: Date | null };
}

/** An observation as stored: what the detectors said, and what the auditor decided about it. */
export interface StoredObservation {
  id: string;
  toeId: string;
  signal: SignalKind;
  kind: EvidenceKind;
  score: number;
  evidenceIds: string[];
  explanation: string;
  details: Record<string, ObservationDetail>;
  scopeVersion: number;
  state: ObservationState;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  findingId: string | null;
  createdAt: Date;
}

/** Evidence in ledger order, as the detectors read it. */
export interface SequencedEvidence {
  sequence: number;
  evidence: AnomalyEvidence;
}

const toObservation = (row: Selectable<ObservationsDatabase['observations']>): StoredObservation => ({
  id: row.id,
  toeId: row.toe_id,
  signal: row.signal,
  kind: row.kind,
  score: row.score,
  evidenceIds: row.evidence_ids,
  explanation: row.explanation,
  details: row.details,
  scopeVersion: row.scope_version,
  state: row.state,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at,
  decisionReason: row.decision_reason,
  findingId: row.finding_id,
  createdAt: row.created_at,
});

/** Most evidence folded into a state in one evaluation; the rest waits for the next one. */
const REPLAY_LIMIT = 5_000;

export function createObservationsRepository(database: Kysely<any>) {
  const db = database as Kysely<ObservationsDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<ObservationsDatabase> | undefined) ?? db;

  return {
    /** Stores what the detectors raised; an (evidence, signal) pair already stored is left as it is. */
    async insert(toeId: string, scopeVersion: number, observations: readonly Observation[], trx: Transaction<any>) {
      if (observations.length === 0) return;
      await on(trx)
        .insertInto('observations')
        .values(
          observations.map((observation) => ({
            id: randomUUID(),
            toe_id: toeId,
            evidence_id: observation.evidenceIds[0]!,
            signal: observation.signal,
            kind: observation.kind,
            score: observation.score,
            evidence_ids: sql<string[]>`${JSON.stringify(observation.evidenceIds)}::jsonb`,
            explanation: observation.explanation,
            details: sql<Record<string, ObservationDetail>>`${JSON.stringify(observation.details)}::jsonb`,
            scope_version: scopeVersion,
          })),
        )
        .onConflict((oc) => oc.constraint('observations_evidence_signal').doNothing())
        .execute();
    },

    async list(toeId: string, filter: { state?: ObservationState } = {}): Promise<StoredObservation[]> {
      let query = on().selectFrom('observations').selectAll().where('toe_id', '=', toeId);
      if (filter.state) query = query.where('state', '=', filter.state);
      return (await query.orderBy('created_at').orderBy('id').execute()).map(toObservation);
    },

    /** Observations raised in [from, to), oldest first: the audit report's and the OSCAL export's. */
    async inWindow(toeId: string, from: Date, to: Date, limit: number): Promise<StoredObservation[]> {
      const rows = await on()
        .selectFrom('observations')
        .selectAll()
        .where('toe_id', '=', toeId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toObservation);
    },

    async find(toeId: string, id: string, trx?: Transaction<any>): Promise<StoredObservation | undefined> {
      const row = await on(trx)
        .selectFrom('observations')
        .selectAll()
        .where('toe_id', '=', toeId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toObservation(row) : undefined;
    },

    /** Open observations at or above `minScore`: what opted-in requirements wait for. */
    async openAtOrAbove(toeId: string, minScore: number, trx: Transaction<any>): Promise<StoredObservation[]> {
      const rows = await on(trx)
        .selectFrom('observations')
        .selectAll()
        .where('toe_id', '=', toeId)
        .where('state', '=', 'open')
        .where('score', '>=', minScore)
        .orderBy('score', 'desc')
        .execute();
      return rows.map(toObservation);
    },

    async decide(
      id: string,
      decision: { state: 'confirmed' | 'dismissed'; by: string; at: Date; reason: string; findingId: string | null },
      trx: Transaction<any>,
    ): Promise<void> {
      await on(trx)
        .updateTable('observations')
        .set({
          state: decision.state,
          decided_by: decision.by,
          decided_at: decision.at,
          decision_reason: decision.reason,
          finding_id: decision.findingId,
        })
        .where('id', '=', id)
        .where('state', '=', 'open')
        .execute();
    },

    /** Where the ToE's detector state stands: the stored snapshot's sequence and the newest evidence observed. */
    async progress(
      toeId: string,
      trx: Transaction<any>,
    ): Promise<{ snapshotSequence: number; observedSequence: number } | undefined> {
      const row = await on(trx)
        .selectFrom('anomaly_states')
        .select(['snapshot_sequence', 'observed_sequence'])
        .where('toe_id', '=', toeId)
        .executeTakeFirst();
      return row
        ? { snapshotSequence: Number(row.snapshot_sequence), observedSequence: Number(row.observed_sequence) }
        : undefined;
    },

    async snapshot(toeId: string, trx: Transaction<any>): Promise<{ state: unknown; sequence: number } | undefined> {
      const row = await on(trx)
        .selectFrom('anomaly_states')
        .select(['state', 'snapshot_sequence'])
        .where('toe_id', '=', toeId)
        .executeTakeFirst();
      return row ? { state: row.state, sequence: Number(row.snapshot_sequence) } : undefined;
    },

    /** Records the newest evidence observed and, when `state` is given, a new snapshot of the state at it. */
    async saveProgress(toeId: string, observedSequence: number, state: string | undefined, trx: Transaction<any>) {
      const observed = String(observedSequence);
      if (state === undefined) {
        await on(trx)
          .updateTable('anomaly_states')
          .set({ observed_sequence: observed, updated_at: new Date() })
          .where('toe_id', '=', toeId)
          .execute();
        return;
      }
      const values = {
        state: sql`${state}::jsonb`,
        snapshot_sequence: observed,
        observed_sequence: observed,
        updated_at: new Date(),
      };
      await on(trx)
        .insertInto('anomaly_states')
        .values({ toe_id: toeId, ...values })
        .onConflict((oc) => oc.column('toe_id').doUpdateSet(values))
        .execute();
    },

    /**
     * The ToE's evidence past `afterSequence` and the evidence named (owed evaluations that may have committed
     * behind a newer sequence), in ledger order.
     */
    async evidenceSince(
      toeId: string,
      afterSequence: number,
      alsoIds: readonly string[],
      trx: Transaction<any>,
    ): Promise<SequencedEvidence[]> {
      const { rows } = await sql<{
        id: string;
        sequence: string;
        keyid: string;
        subjects: AnomalyEvidence['subjects'];
        predicate: EvidencePredicate;
        received_at: Date;
      }>`
        select id, sequence, keyid, subjects, predicate, received_at from evidence
         where toe = ${toeId} and (sequence > ${afterSequence} or id = any(${[...alsoIds]}::uuid[]))
         order by sequence
         limit ${REPLAY_LIMIT}`.execute(on(trx));
      return rows.map((row) => ({
        sequence: Number(row.sequence),
        evidence: {
          id: row.id,
          appendedAt: row.received_at,
          keyId: row.keyid,
          subjects: row.subjects,
          predicate: row.predicate,
        },
      }));
    },

    /** When each approved version of the ToE's scope was approved: milestones for the cadence detector. */
    async approvals(toeId: string, trx: Transaction<any>): Promise<Date[]> {
      const rows = await on(trx)
        .selectFrom('scope_versions')
        .select('decided_at')
        .where('toe_id', '=', toeId)
        .where('state', 'in', ['approved', 'superseded'])
        .where('decided_at', 'is not', null)
        .orderBy('version')
        .execute();
      return rows.flatMap((row) => (row.decided_at ? [row.decided_at] : []));
    },
  };
}

export type ObservationsRepository = ReturnType<typeof createObservationsRepository>;
