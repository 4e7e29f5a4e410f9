import type { Kysely, Transaction } from 'kysely';

import type { ManualFinding } from './manual-finding.ts';

export type { ManualFinding };

interface FindingsDatabase {
  manual_findings: {
    id: string;
    toe_id: string;
    requirement_id: string;
    status: 'compliant' | 'non_compliant' | 'error';
    justification: string;
    valid_from: Date;
    valid_until: Date;
    recorded_by: string;
    created_at: Date;
  };
}

const toFinding = (row: FindingsDatabase['manual_findings']): ManualFinding => ({
  id: row.id,
  toeId: row.toe_id,
  requirementId: row.requirement_id,
  status: row.status,
  justification: row.justification,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  recordedBy: row.recorded_by,
  createdAt: row.created_at,
});

export function createFindingsRepository(database: Kysely<any>) {
  const db = database as Kysely<FindingsDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<FindingsDatabase> | undefined) ?? db;
  return {
    async insert(finding: ManualFinding, trx: Transaction<any>): Promise<void> {
      await on(trx)
        .insertInto('manual_findings')
        .values({
          id: finding.id,
          toe_id: finding.toeId,
          requirement_id: finding.requirementId,
          status: finding.status,
          justification: finding.justification,
          valid_from: finding.validFrom,
          valid_until: finding.validUntil,
          recorded_by: finding.recordedBy,
          created_at: finding.createdAt,
        })
        .execute();
    },

    /** The newest finding per requirement whose window contains `at`. */
    async activeAt(toeId: string, at: Date, trx?: Transaction<any>): Promise<Map<string, ManualFinding>> {
      const rows = await on(trx)
        .selectFrom('manual_findings')
        .selectAll()
        .where('toe_id', '=', toeId)
        .where('valid_from', '<=', at)
        .where('valid_until', '>', at)
        .orderBy('created_at', 'desc')
        .execute();
      const active = new Map<string, ManualFinding>();
      for (const row of rows) if (!active.has(row.requirement_id)) active.set(row.requirement_id, toFinding(row));
      return active;
    },

    async list(toeId: string): Promise<ManualFinding[]> {
      const rows = await db
        .selectFrom('manual_findings')
        .selectAll()
        .where('toe_id', '=', toeId)
        .orderBy('created_at')
        .execute();
      return rows.map(toFinding);
    },
  };
}

export type FindingsRepository = ReturnType<typeof createFindingsRepository>;
