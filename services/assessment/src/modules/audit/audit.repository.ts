import type { Kysely, Transaction } from 'kysely';

interface AuditDatabase {
  audit_events: {
    id?: number;
    org: string;
    toe_id: string | null;
    actor: string;
    role: string;
    action: string;
    entity: string;
    before_digest: string | null;
    after_digest: string | null;
    comment: string | null;
    at: Date;
  };
}

export interface AuditEvent {
  org: string;
  toeId: string | null;
  actor: string;
  role: string;
  action: string;
  /** What changed, e.g. `toe:<id>` or `scope:<toe>@<version>`. */
  entity: string;
  beforeDigest: string | null;
  afterDigest: string | null;
  comment: string | null;
}

export interface AuditFilter {
  org: string;
  toeId?: string;
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  afterId?: number;
  limit: number;
}

/** The append-only audit trail; events are written in the transaction of the change they describe. */
export function createAuditRepository(database: Kysely<any>) {
  const db = database as Kysely<AuditDatabase>;
  return {
    async record(event: AuditEvent, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<AuditDatabase>)
        .insertInto('audit_events')
        .values({
          org: event.org,
          toe_id: event.toeId,
          actor: event.actor,
          role: event.role,
          action: event.action,
          entity: event.entity,
          before_digest: event.beforeDigest,
          after_digest: event.afterDigest,
          comment: event.comment,
          at: new Date(),
        })
        .execute();
    },

    async list(filter: AuditFilter) {
      let query = db.selectFrom('audit_events').selectAll().where('org', '=', filter.org);
      if (filter.toeId) query = query.where('toe_id', '=', filter.toeId);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (filter.actor) query = query.where('actor', '=', filter.actor);
      if (filter.from) query = query.where('at', '>=', filter.from);
      if (filter.to) query = query.where('at', '<', filter.to);
      if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
      const rows = await query
        .orderBy('id')
        .limit(filter.limit + 1)
        .execute();
      return { rows: rows.slice(0, filter.limit), more: rows.length > filter.limit };
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
