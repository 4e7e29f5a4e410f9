import type { Kysely, Transaction } from 'kysely';
import type { ScopeDocument } from './scope-document.schema.ts';
import type { ScopeState } from './scope-workflow.ts';

interface ScopesDatabase {
  scope_versions: {
    id: string;
    toe_id: string;
    version: number;
    state: ScopeState;
    document: ScopeDocument;
    digest: string;
    created_by: string;
    created_at: Date;
    updated_at: Date;
    decided_by: string | null;
    decided_at: Date | null;
  };
  scope_comments: {
    id?: number;
    scope_version_id: string;
    requirement_id: string | null;
    author: string;
    role: string;
    body: string;
    created_at: Date;
  };
}

export interface ScopeVersion {
  id: string;
  toeId: string;
  version: number;
  state: ScopeState;
  document: ScopeDocument;
  digest: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export interface ScopeComment {
  id: number;
  requirementId: string | null;
  author: string;
  role: string;
  body: string;
  createdAt: Date;
}

const toVersion = (row: ScopesDatabase['scope_versions']): ScopeVersion => ({
  id: row.id,
  toeId: row.toe_id,
  version: row.version,
  state: row.state,
  document: row.document,
  digest: row.digest,
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  decidedBy: row.decided_by,
  decidedAt: row.decided_at,
});

export function createScopesRepository(database: Kysely<any>) {
  const db = database as Kysely<ScopesDatabase>;
  const on = (trx?: Transaction<any>) => (trx as Transaction<ScopesDatabase> | undefined) ?? db;
  return {
    transaction: <T>(work: (trx: Transaction<any>) => Promise<T>) => db.transaction().execute(work),

    async latestVersionNumber(toeId: string, trx: Transaction<any>): Promise<number> {
      const row = await on(trx)
        .selectFrom('scope_versions')
        .select((eb) => eb.fn.max('version').as('max'))
        .where('toe_id', '=', toeId)
        .executeTakeFirst();
      return Number(row?.max ?? 0);
    },

    async insert(
      version: Omit<ScopeVersion, 'createdAt' | 'updatedAt' | 'decidedBy' | 'decidedAt'>,
      trx: Transaction<any>,
    ): Promise<ScopeVersion> {
      const now = new Date();
      const row = await on(trx)
        .insertInto('scope_versions')
        .values({
          id: version.id,
          toe_id: version.toeId,
          version: version.version,
          state: version.state,
          document: JSON.stringify(version.document) as never,
          digest: version.digest,
          created_by: version.createdBy,
          created_at: now,
          updated_at: now,
          decided_by: null,
          decided_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toVersion(row);
    },

    async find(toeId: string, version: number, trx?: Transaction<any>): Promise<ScopeVersion | undefined> {
      const row = await on(trx)
        .selectFrom('scope_versions')
        .selectAll()
        .where('toe_id', '=', toeId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    async list(toeId: string): Promise<ScopeVersion[]> {
      const rows = await db
        .selectFrom('scope_versions')
        .selectAll()
        .where('toe_id', '=', toeId)
        .orderBy('version')
        .execute();
      return rows.map(toVersion);
    },

    /** The approved version's identity without its document (cheap: the document is cached by digest). */
    async approvedHead(
      toeId: string,
      trx?: Transaction<any>,
    ): Promise<{ id: string; version: number; digest: string } | undefined> {
      return on(trx)
        .selectFrom('scope_versions')
        .select(['id', 'version', 'digest'])
        .where('toe_id', '=', toeId)
        .where('state', '=', 'approved')
        .executeTakeFirst();
    },

    async inState(toeId: string, states: ScopeState[], trx?: Transaction<any>): Promise<ScopeVersion | undefined> {
      const row = await on(trx)
        .selectFrom('scope_versions')
        .selectAll()
        .where('toe_id', '=', toeId)
        .where('state', 'in', states)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    async updateDocument(
      id: string,
      document: ScopeDocument,
      digest: string,
      state: ScopeState,
      trx: Transaction<any>,
    ): Promise<ScopeVersion> {
      const row = await on(trx)
        .updateTable('scope_versions')
        .set({ document: JSON.stringify(document) as never, digest, state, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toVersion(row);
    },

    async setState(
      id: string,
      state: ScopeState,
      decidedBy: string | null,
      trx: Transaction<any>,
    ): Promise<ScopeVersion> {
      const now = new Date();
      const row = await on(trx)
        .updateTable('scope_versions')
        .set({ state, updated_at: now, ...(decidedBy ? { decided_by: decidedBy, decided_at: now } : {}) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toVersion(row);
    },

    async addComment(
      versionId: string,
      comment: Omit<ScopeComment, 'id' | 'createdAt'>,
      trx: Transaction<any>,
    ): Promise<ScopeComment> {
      const row = await on(trx)
        .insertInto('scope_comments')
        .values({
          scope_version_id: versionId,
          requirement_id: comment.requirementId,
          author: comment.author,
          role: comment.role,
          body: comment.body,
          created_at: new Date(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return {
        id: row.id!,
        requirementId: row.requirement_id,
        author: row.author,
        role: row.role,
        body: row.body,
        createdAt: row.created_at,
      };
    },

    async comments(versionId: string): Promise<ScopeComment[]> {
      const rows = await db
        .selectFrom('scope_comments')
        .selectAll()
        .where('scope_version_id', '=', versionId)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id!,
        requirementId: row.requirement_id,
        author: row.author,
        role: row.role,
        body: row.body,
        createdAt: row.created_at,
      }));
    },
  };
}

export type ScopesRepository = ReturnType<typeof createScopesRepository>;
