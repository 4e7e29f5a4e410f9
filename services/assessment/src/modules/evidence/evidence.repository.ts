import { sql, type Kysely, type Transaction } from 'kysely';
import type { VerifiedAttestation } from '@cabc/rules';
import type { LedgerSequencer } from '../ledger/ledger.sequencer.ts';
import { logIndexOfReceipt } from '../ledger/receipt-log-index.ts';

interface AssessmentEvidenceDatabase {
  evidence: {
    id: string;
    sequence: number;
    envelope_sha256: string;
    statement_sha256: string;
    envelope: string;
    toe: string;
    kind: string;
    keyid: string;
    subjects: unknown;
    predicate: unknown;
    attestations: VerifiedAttestation[] | null;
    observed_at: Date;
    received_at: Date;
    receipt: string;
  };
  pending_evaluations: { evidence_id: string; toe: string; created_at: Date };
}

export interface AcceptedEvidence {
  id: string;
  sequence: number;
  envelopeSha256: string;
  /** SHA-256 of the DSSE PAE over the payload: the same statement, however re-encoded, is the same evidence. */
  statementSha256: string;
  envelope: string;
  toe: string;
  kind: string;
  keyid: string;
  subjects: unknown;
  predicate: unknown;
  /** Third-party attestations the evidence relays, as verified at ingest (null when it relays none). */
  attestations: VerifiedAttestation[] | null;
  observedAt: Date;
  receivedAt: Date;
  receipt: string;
  /** Position in the evidence ledger (the receipt's logIndex claim); null if accepted with the ledger off. */
  logIndex: number | null;
}

type Row = AssessmentEvidenceDatabase['evidence'];

/** An `evidence` row as the rest of the service sees it (also used by the reporting reads). */
export const toAccepted = (row: Row): AcceptedEvidence => ({
  id: row.id,
  sequence: row.sequence,
  envelopeSha256: row.envelope_sha256,
  statementSha256: row.statement_sha256,
  envelope: row.envelope,
  toe: row.toe,
  kind: row.kind,
  keyid: row.keyid,
  subjects: row.subjects,
  predicate: row.predicate,
  attestations: row.attestations,
  observedAt: row.observed_at,
  receivedAt: row.received_at,
  receipt: row.receipt,
  logIndex: logIndexOfReceipt(row.receipt),
});

export function createEvidenceRepository(
  database: Kysely<any>,
  options: { ledger?: LedgerSequencer | undefined } = {},
) {
  const db = database as Kysely<AssessmentEvidenceDatabase>;
  /** Evidence rows with their pending evaluations, in one multi-row insert each. */
  const storeAll = async (trx: Transaction<any>, accepted: AcceptedEvidence[]): Promise<void> => {
    const executor = trx as Transaction<AssessmentEvidenceDatabase>;
    await executor
      .insertInto('evidence')
      .values(
        accepted.map((evidence) => ({
          id: evidence.id,
          sequence: evidence.sequence,
          envelope_sha256: evidence.envelopeSha256,
          statement_sha256: evidence.statementSha256,
          envelope: evidence.envelope,
          toe: evidence.toe,
          kind: evidence.kind,
          keyid: evidence.keyid,
          subjects: JSON.stringify(evidence.subjects),
          predicate: JSON.stringify(evidence.predicate),
          attestations: evidence.attestations === null ? null : (JSON.stringify(evidence.attestations) as never),
          observed_at: evidence.observedAt,
          received_at: evidence.receivedAt,
          receipt: evidence.receipt,
        })),
      )
      .execute();
    await executor
      .insertInto('pending_evaluations')
      .values(accepted.map((evidence) => ({ evidence_id: evidence.id, toe: evidence.toe, created_at: new Date() })))
      .execute();
  };
  return {
    /** Evidence with this envelope digest or (when given) this statement digest: one round trip for both. */
    async findExisting(envelopeSha256: string, statementSha256: string | null): Promise<AcceptedEvidence | undefined> {
      const row = await db
        .selectFrom('evidence')
        .selectAll()
        .where((eb) =>
          statementSha256 === null
            ? eb('envelope_sha256', '=', envelopeSha256)
            : eb.or([eb('envelope_sha256', '=', envelopeSha256), eb('statement_sha256', '=', statementSha256)]),
        )
        .limit(1)
        .executeTakeFirst();
      return row ? toAccepted(row) : undefined;
    },
    async findById(id: string): Promise<AcceptedEvidence | undefined> {
      const row = await db.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toAccepted(row) : undefined;
    },
    async listByToe(toe: string, options: { limit: number; beforeSequence?: number }): Promise<AcceptedEvidence[]> {
      let query = db.selectFrom('evidence').selectAll().where('toe', '=', toe);
      if (options.beforeSequence !== undefined) query = query.where('sequence', '<', options.beforeSequence);
      const rows = await query.orderBy('sequence', 'desc').limit(options.limit).execute();
      return rows.map(toAccepted);
    },
    /** Reserves the ledger sequence number before insert, so the signed receipt can carry it. */
    async nextSequence(): Promise<number> {
      const { rows } = await sql<{
        value: number;
      }>`select nextval(pg_get_serial_sequence('evidence', 'sequence')) as value`.execute(db);
      return Number(rows[0]!.value);
    },
    /**
     * Stores the evidence and the evaluation it is owed, atomically. With the ledger on, the transaction also appends
     * its leaf, shared with concurrent appends (group commit: see ledger.sequencer.ts), and `signReceipt` signs the
     * receipt with the leaf's index.
     */
    async insertWithPendingEvaluation(
      evidence: Omit<AcceptedEvidence, 'receipt' | 'logIndex'>,
      signReceipt: (logIndex: number | null) => Promise<string>,
    ): Promise<AcceptedEvidence> {
      if (options.ledger) {
        const { id: evidenceId, envelopeSha256, sequence, receivedAt, toe } = evidence;
        return options.ledger.append({
          leaf: { evidenceId, envelopeSha256, sequence, receivedAt, toe },
          prepare: async (logIndex) => ({ ...evidence, logIndex, receipt: await signReceipt(logIndex) }),
          write: storeAll,
        });
      }
      const accepted = { ...evidence, logIndex: null, receipt: await signReceipt(null) };
      await db.transaction().execute((trx) => storeAll(trx, [accepted]));
      return accepted;
    },
  };
}

export type EvidenceRepository = ReturnType<typeof createEvidenceRepository>;
