import type { Kysely, Transaction } from 'kysely';
import type { ToeInput, ToeView } from './toes.schemas.ts';

interface ToesDatabase {
  toes: {
    id: string;
    org: string;
    name: string;
    business_purpose: string;
    field_of_operation: string;
    risk_class: string;
    owner: string;
    artifacts: ToeInput['artifacts'];
    created_by: string;
    created_at: Date;
    updated_at: Date;
  };
}

type Row = ToesDatabase['toes'];

const toView = (row: Row): ToeView => ({
  id: row.id,
  org: row.org,
  name: row.name,
  businessPurpose: row.business_purpose,
  fieldOfOperation: row.field_of_operation,
  riskClass: row.risk_class as ToeView['riskClass'],
  owner: row.owner,
  artifacts: row.artifacts,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export function createToesRepository(database: Kysely<any>) {
  const db = database as Kysely<ToesDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<ToesDatabase> | undefined) ?? db;
  return {
    async insert(
      toe: { id: string; org: string; createdBy: string } & ToeInput,
      trx: Transaction<any>,
    ): Promise<ToeView> {
      const now = new Date();
      const row = await on(trx)
        .insertInto('toes')
        .values({
          id: toe.id,
          org: toe.org,
          name: toe.name,
          business_purpose: toe.businessPurpose,
          field_of_operation: toe.fieldOfOperation,
          risk_class: toe.riskClass,
          owner: toe.owner,
          artifacts: JSON.stringify(toe.artifacts) as never,
          created_by: toe.createdBy,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toView(row);
    },

    async update(id: string, toe: ToeInput, trx: Transaction<any>): Promise<ToeView> {
      const row = await on(trx)
        .updateTable('toes')
        .set({
          name: toe.name,
          business_purpose: toe.businessPurpose,
          field_of_operation: toe.fieldOfOperation,
          risk_class: toe.riskClass,
          owner: toe.owner,
          artifacts: JSON.stringify(toe.artifacts) as never,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toView(row);
    },

    /** The artifacts an approved scope version pins become the ToE's. */
    async setArtifacts(id: string, artifacts: ToeInput['artifacts'], trx: Transaction<any>): Promise<void> {
      await on(trx)
        .updateTable('toes')
        .set({ artifacts: JSON.stringify(artifacts) as never, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    /** The ToE when it belongs to `org`; undefined otherwise, so another organization's ToE looks absent. */
    async findInOrg(id: string, org: string, trx?: Transaction<any>): Promise<ToeView | undefined> {
      const row = await on(trx)
        .selectFrom('toes')
        .selectAll()
        .where('id', '=', id)
        .where('org', '=', org)
        .executeTakeFirst();
      return row ? toView(row) : undefined;
    },

    /** The ids of an organization's ToEs (what its auditors may see of the outbox). */
    async idsInOrg(org: string): Promise<string[]> {
      const rows = await db.selectFrom('toes').select('id').where('org', '=', org).execute();
      return rows.map((row) => row.id);
    },

    async find(id: string): Promise<ToeView | undefined> {
      const row = await db.selectFrom('toes').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toView(row) : undefined;
    },

    async list(org: string, page: { limit: number; after?: { createdAt: string; id: string } }) {
      let query = db.selectFrom('toes').selectAll().where('org', '=', org);
      if (page.after) {
        const after = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '>', new Date(after.createdAt)),
            eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '>', after.id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit + 1)
        .execute();
      return { items: rows.slice(0, page.limit).map(toView), more: rows.length > page.limit };
    },

    transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => db.transaction().execute(work),
  };
}

export type ToesRepository = ReturnType<typeof createToesRepository>;
