import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Targets of evaluation: the ML systems a certificate is about. They belong to the auditee organization.
  await db.schema
    .createTable('toes')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('business_purpose', 'text', (col) => col.notNull())
    .addColumn('field_of_operation', 'text', (col) => col.notNull())
    .addColumn('risk_class', 'text', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('artifacts', 'jsonb', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('toes_org').on('toes').columns(['org', 'created_at', 'id']).execute();

  await db.schema
    .createTable('scope_versions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('toe_id', 'text', (col) => col.notNull().references('toes.id'))
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .check(sql`state in ('draft', 'submitted', 'changes_requested', 'approved', 'rejected', 'superseded')`),
    )
    .addColumn('document', 'jsonb', (col) => col.notNull())
    .addColumn('digest', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addUniqueConstraint('scope_versions_toe_version', ['toe_id', 'version'])
    .execute();
  // At most one version in force and one being worked on per ToE.
  await sql`create unique index scope_versions_one_approved on scope_versions (toe_id) where state = 'approved'`.execute(
    db,
  );
  await sql`create unique index scope_versions_one_open on scope_versions (toe_id)
            where state in ('draft', 'submitted', 'changes_requested')`.execute(db);
  // An approved version never changes again.
  await sql`
    create function refuse_approved_scope_change() returns trigger language plpgsql as $$
    begin
      if old.state in ('approved', 'superseded') and (new.document is distinct from old.document or new.digest is distinct from old.digest) then
        raise exception 'scope version % of % is % and immutable', old.version, old.toe_id, old.state using errcode = 'insufficient_privilege';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger scope_versions_immutable before update on scope_versions
            for each row execute function refuse_approved_scope_change()`.execute(db);

  await db.schema
    .createTable('scope_comments')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('scope_version_id', 'uuid', (col) => col.notNull().references('scope_versions.id'))
    .addColumn('requirement_id', 'text')
    .addColumn('author', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // When a ToE must be evaluated again although no evidence arrives (evidence growing stale). Postgres-held, so it
  // survives restarts and a Redis that lost its jobs.
  await db.schema
    .createTable('evaluation_schedule')
    .addColumn('toe_id', 'text', (col) => col.primaryKey())
    .addColumn('due_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('evaluation_schedule_due').on('evaluation_schedule').column('due_at').execute();

  // The audit trail: append-only (the database refuses UPDATE and DELETE).
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('org', 'text', (col) => col.notNull())
    .addColumn('toe_id', 'text')
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('entity', 'text', (col) => col.notNull())
    .addColumn('before_digest', 'text')
    .addColumn('after_digest', 'text')
    .addColumn('comment', 'text')
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_events_org').on('audit_events').columns(['org', 'id']).execute();
  await sql`
    create function refuse_audit_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_events_append_only before update or delete on audit_events
            for each row execute function refuse_audit_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('evaluation_schedule').execute();
  await db.schema.dropTable('scope_comments').execute();
  await db.schema.dropTable('scope_versions').execute();
  await db.schema.dropTable('toes').execute();
  await sql`drop function refuse_audit_change`.execute(db);
  await sql`drop function refuse_approved_scope_change`.execute(db);
}
