import { sql, type Kysely } from 'kysely';

/**
 * Certifications keyed by (ToE, approved scope version), the auditor's scope decisions, the audit trail, webhook
 * subscriptions with their deliveries and every delivery attempt, and notifications to subscription owners.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Which route a callback came in on: posture callbacks and scope decisions share the jti namespace (replay).
  await db.schema
    .alterTable('received_callbacks')
    .addColumn('kind', 'text', (col) => col.notNull().defaultTo('posture').check(sql`kind in ('posture', 'scope')`))
    .addColumn('scope_version', 'integer')
    .execute();

  // A certification covers one ToE and one approved scope version (null: opened implicitly by a posture callback
  // that named no scope version, the behaviour before scopes existed). Still at most one open per ToE.
  await db.schema
    .alterTable('certifications')
    .addColumn('scope_version', 'integer')
    .addColumn('org', 'text')
    .addColumn('toe_name', 'text')
    .addColumn('scope_digest', 'text')
    .addColumn('requirements', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('approval_ref', 'text')
    .addColumn('close_reason', 'text')
    .execute();
  await sql`create index certifications_toe_version on certifications (toe, scope_version)`.execute(db);
  await sql`create index certifications_org on certifications (org) where org is not null`.execute(db);

  await db.schema.alterTable('certificates').addColumn('org', 'text').addColumn('scope_version', 'integer').execute();
  await sql`create index certificates_org on certificates (org, issued_at) where org is not null`.execute(db);

  // Every scope decision the auditor sent (approved, rejected, superseded), verified; append-only.
  await db.schema
    .createTable('scope_decisions')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('jti', 'text', (col) => col.notNull().unique())
    .addColumn('type', 'text', (col) =>
      col.notNull().check(sql`type in ('scope.approved', 'scope.rejected', 'scope.superseded')`),
    )
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('toe_name', 'text', (col) => col.notNull())
    .addColumn('scope_version', 'integer', (col) => col.notNull())
    .addColumn('scope_digest', 'text', (col) => col.notNull())
    .addColumn('decided_at', 'timestamptz', (col) => col.notNull())
    .addColumn('decided_by', 'text', (col) => col.notNull())
    .addColumn('comment', 'text')
    .addColumn('requirements', 'jsonb', (col) => col.notNull())
    .addColumn('superseded_by', 'integer')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('certification_id', 'uuid')
    .addColumn('received_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await sql`create index scope_decisions_toe on scope_decisions (toe, scope_version)`.execute(db);
  await sql`create trigger scope_decisions_append_only before update or delete on scope_decisions
            for each row execute function refuse_history_change()`.execute(db);

  // Who did what, in the same transaction as the change: API requests (actor = token subject) and the system.
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .addColumn('actor', 'jsonb', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('target_type', 'text', (col) => col.notNull())
    .addColumn('target_id', 'text', (col) => col.notNull())
    .addColumn('org', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('comment', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await sql`create index audit_events_target on audit_events (target_type, target_id, id)`.execute(db);
  await sql`create trigger audit_events_append_only before update or delete on audit_events
            for each row execute function refuse_history_change()`.execute(db);

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    // Who owns it (sees it, is told when it is disabled) and which certificates it covers.
    .addColumn('owner_org', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('sealed_secret', 'text', (col) => col.notNull())
    .addColumn('filter_org', 'text')
    .addColumn('filter_toe', 'text')
    .addColumn('event_types', 'jsonb')
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'disabled', 'deleted')`))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('failing_since', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await sql`create index webhook_subscriptions_owner on webhook_subscriptions (owner_org) where status <> 'deleted'`.execute(
    db,
  );
  await sql`create index webhook_subscriptions_active on webhook_subscriptions (filter_org) where status = 'active'`.execute(
    db,
  );

  // The outbox of webhooks: one row per (transition, matching subscription), written with the transition.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('message_id', 'text', (col) => col.notNull().unique())
    .addColumn('subscription_id', 'uuid', (col) => col.notNull().references('webhook_subscriptions.id'))
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('certificate_id', 'uuid')
    .addColumn('certificate_event_id', 'bigint')
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'delivered', 'failed', 'cancelled')`),
    )
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (col) => col.notNull())
    .addColumn('next_attempt_at', 'timestamptz')
    // A redelivery was asked for: the next attempt is logged as manual.
    .addColumn('manual_pending', 'boolean', (col) => col.notNull().defaultTo(false))
    // While an attempt is in flight (database time, not the business clock): nobody else may take the delivery.
    .addColumn('leased_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_response_status', 'integer')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(
    db,
  );
  await sql`create index webhook_deliveries_subscription on webhook_deliveries (subscription_id, id)`.execute(db);

  await db.schema
    .createTable('webhook_delivery_attempts')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('delivery_id', 'bigint', (col) => col.notNull().references('webhook_deliveries.id'))
    .addColumn('attempt', 'integer', (col) => col.notNull())
    .addColumn('trigger', 'text', (col) => col.notNull().check(sql`trigger in ('automatic', 'manual')`))
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('succeeded', 'failed')`))
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .execute();
  await sql`create index webhook_delivery_attempts_delivery on webhook_delivery_attempts (delivery_id, id)`.execute(db);
  await sql`create trigger webhook_delivery_attempts_append_only before update or delete on webhook_delivery_attempts
            for each row execute function refuse_history_change()`.execute(db);

  // What the certification body tells an organization (e.g. "your subscription was disabled").
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text')
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('subject_type', 'text', (col) => col.notNull())
    .addColumn('subject_id', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await sql`create index notifications_org on notifications (org, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'notifications',
    'webhook_delivery_attempts',
    'webhook_deliveries',
    'webhook_subscriptions',
    'audit_events',
    'scope_decisions',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('certificates').dropColumn('org').dropColumn('scope_version').execute();
  await db.schema
    .alterTable('certifications')
    .dropColumn('scope_version')
    .dropColumn('org')
    .dropColumn('toe_name')
    .dropColumn('scope_digest')
    .dropColumn('requirements')
    .dropColumn('approval_ref')
    .dropColumn('close_reason')
    .execute();
  await db.schema.alterTable('received_callbacks').dropColumn('kind').dropColumn('scope_version').execute();
}
