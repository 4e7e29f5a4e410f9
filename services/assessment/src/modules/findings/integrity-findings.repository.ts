import { sql, type Kysely, type Transaction } from 'kysely';

/** An evidence row read for evaluation that did not verify (docs/keys.md, "Assess only what verifies"). */
export interface IntegrityFinding {
  id: number;
  toeId: string;
  kind: 'ledger_mismatch';
  evidenceId: string;
  detail: string;
  observedAt: Date;
  resolvedAt: Date | null;
}

interface IntegrityFindingRow {
  id: string | number;
  toe_id: string;
  kind: 'ledger_mismatch';
  evidence_id: string;
  detail: string;
  observed_at: Date;
  resolved_at: Date | null;
}

const toFinding = (row: IntegrityFindingRow): IntegrityFinding => ({
  id: Number(row.id),
  toeId: row.toe_id,
  kind: row.kind,
  evidenceId: row.evidence_id,
  detail: row.detail,
  observedAt: row.observed_at,
  resolvedAt: row.resolved_at,
});

/** The integrity_findings table (migration 20261211_0010). */
export function createIntegrityFindingsRepository(db: Kysely<any>) {
  const on = (trx?: Transaction<any>) => trx ?? db;
  return {
    /** Opens a finding unless one is open for this evidence already; true when it is new. */
    async open(
      finding: { toeId: string; evidenceId: string; detail: string },
      trx?: Transaction<any>,
    ): Promise<boolean> {
      const { rows } = await sql`
        insert into integrity_findings (toe_id, kind, evidence_id, detail)
        values (${finding.toeId}, 'ledger_mismatch', ${finding.evidenceId}, ${finding.detail})
        on conflict (toe_id, evidence_id) where resolved_at is null do nothing
        returning id`.execute(on(trx));
      return rows.length > 0;
    },

    async openFor(toeId: string, trx?: Transaction<any>): Promise<IntegrityFinding[]> {
      const { rows } = await sql<IntegrityFindingRow>`
        select * from integrity_findings where toe_id = ${toeId} and resolved_at is null order by id`.execute(on(trx));
      return rows.map(toFinding);
    },

    async resolve(ids: readonly number[], trx?: Transaction<any>): Promise<void> {
      if (ids.length === 0) return;
      await sql`update integrity_findings set resolved_at = now() where id = any(${[...ids]}::bigint[]) and resolved_at is null`.execute(
        on(trx),
      );
    },

    /** Every finding of a ToE, open and resolved, oldest first. */
    async list(toeId: string): Promise<IntegrityFinding[]> {
      const { rows } = await sql<IntegrityFindingRow>`
        select * from integrity_findings where toe_id = ${toeId} order by id`.execute(db);
      return rows.map(toFinding);
    },
  };
}

export type IntegrityFindingsRepository = ReturnType<typeof createIntegrityFindingsRepository>;
