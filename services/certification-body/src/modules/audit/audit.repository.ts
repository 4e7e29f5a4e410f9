import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../common/actor.ts';

interface AuditDatabase {
  audit_events: {
    id?: number;
    at: Date;
    actor: Actor;
    action: string;
    target_type: string;
    target_id: string;
    org: string | null;
    before: unknown;
    after: unknown;
    comment: string | null;
    request_id: string | null;
  };
}

export interface AuditEvent {
  at: Date;
  actor: Actor;
  /** e.g. `certificate.withdraw`, `webhook_subscription.disable`. */
  action: string;
  targetType: string;
  targetId: string;
  /** The organization the target belongs to, when it belongs to one. */
  org: string | null;
  before: unknown;
  after: unknown;
  comment: string | null;
  requestId: string | null;
}

/** The audit trail: append-only (the database refuses UPDATE and DELETE), written in the changing transaction. */
export function createAuditRepository(database: Kysely<any>) {
  const db = database as Kysely<AuditDatabase>;
  const json = (value: unknown) => (value === undefined || value === null ? null : (JSON.stringify(value) as never));
  return {
    async record(event: AuditEvent, trx: Transaction<any>): Promise<void> {
      await (trx as Transaction<AuditDatabase>)
        .insertInto('audit_events')
        .values({
          at: event.at,
          actor: JSON.stringify(event.actor) as never,
          action: event.action,
          target_type: event.targetType,
          target_id: event.targetId,
          org: event.org,
          before: json(event.before),
          after: json(event.after),
          comment: event.comment,
          request_id: event.requestId,
        })
        .execute();
    },

    /** One organization's audit trail (events about no organization are never listed). */
    async list(filter: { org: string; targetType?: string; targetId?: string; beforeId?: number }, limit: number) {
      let query = db.selectFrom('audit_events').selectAll().where('org', '=', filter.org);
      if (filter.targetType) query = query.where('target_type', '=', filter.targetType);
      if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
      if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => ({
        id: Number(row.id),
        at: row.at,
        actor: row.actor,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        org: row.org,
        before: row.before,
        after: row.after,
        comment: row.comment,
        requestId: row.request_id,
      }));
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
