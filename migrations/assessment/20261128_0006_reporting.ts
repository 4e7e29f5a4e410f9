import { sql, type Kysely } from 'kysely';

// Reporting (docs/dashboard.md): a read model of numeric measurements for the dashboard's charts and the audit report,
// and notifications when a posture or a requirement result is stored (a doorbell for the live event stream).
export async function up(db: Kysely<any>): Promise<void> {
  // One row per numeric measurement of accepted evidence, filled by a trigger on the (append-only) evidence ledger.
  // Charts over long histories read this index instead of unpacking every predicate.
  await db.schema
    .createTable('evidence_measurements')
    .addColumn('evidence_id', 'uuid', (col) => col.notNull())
    .addColumn('ordinal', 'integer', (col) => col.notNull())
    .addColumn('toe', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('slice', 'text')
    .addColumn('dataset', 'text')
    .addColumn('split', 'text')
    .addColumn('observed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('value', 'double precision', (col) => col.notNull())
    .addPrimaryKeyConstraint('evidence_measurements_pkey', ['evidence_id', 'ordinal'])
    .execute();
  await db.schema
    .createIndex('evidence_measurements_series')
    .on('evidence_measurements')
    .columns(['toe', 'kind', 'name', 'observed_at'])
    .execute();

  // Never in the way of accepting evidence: a measurement that cannot be indexed is logged and left out of charts
  // (the evidence itself, and its evaluation, are unaffected).
  await sql`
    create function index_evidence_measurements() returns trigger language plpgsql as $$
    begin
      begin
        insert into evidence_measurements (evidence_id, ordinal, toe, kind, name, slice, dataset, split, observed_at, value)
        select new.id, m.ordinality::integer, new.toe, new.kind, m.item->>'name',
               coalesce(m.item->>'slice', new.predicate->'context'->>'slice'),
               new.predicate->'context'->>'dataset', new.predicate->'context'->>'split',
               new.observed_at, (m.item->>'value')::double precision
        from jsonb_array_elements(coalesce(new.predicate->'measurements', '[]'::jsonb)) with ordinality as m(item, ordinality)
        where jsonb_typeof(m.item->'value') = 'number' and m.item->>'name' is not null;
      exception when others then
        raise warning 'evidence %: measurements not indexed for charts: %', new.id, sqlerrm;
      end;
      return null;
    end $$`.execute(db);
  await sql`create trigger evidence_index_measurements after insert on evidence
            for each row execute function index_evidence_measurements()`.execute(db);
  await sql`
    insert into evidence_measurements (evidence_id, ordinal, toe, kind, name, slice, dataset, split, observed_at, value)
    select e.id, m.ordinality::integer, e.toe, e.kind, m.item->>'name',
           coalesce(m.item->>'slice', e.predicate->'context'->>'slice'),
           e.predicate->'context'->>'dataset', e.predicate->'context'->>'split',
           e.observed_at, (m.item->>'value')::double precision
    from evidence e,
         jsonb_array_elements(case when jsonb_typeof(e.predicate->'measurements') = 'array' then e.predicate->'measurements' else '[]'::jsonb end)
           with ordinality as m(item, ordinality)
    where m.item->>'name' is not null
      and case when jsonb_typeof(m.item->'value') = 'number' then abs((m.item->>'value')::numeric) < 1e300 else false end`.execute(
    db,
  );

  // Doorbells for the live event stream (GET /v1/events): delivered at commit, in commit order. The tables stay the
  // truth; a listener that missed a notification catches up by reading them.
  await sql`
    create function notify_posture_stored() returns trigger language plpgsql as $$
    begin
      perform pg_notify('cabc_reporting', json_build_object('type', 'posture', 'toe', new.toe, 'sequence', new.sequence)::text);
      return null;
    end $$`.execute(db);
  await sql`create trigger postures_notify after insert or update on postures
            for each row execute function notify_posture_stored()`.execute(db);
  await sql`
    create function notify_results_stored() returns trigger language plpgsql as $$
    declare
      changed record;
    begin
      for changed in select distinct toe from inserted loop
        perform pg_notify('cabc_reporting', json_build_object('type', 'evaluated', 'toe', changed.toe)::text);
      end loop;
      return null;
    end $$`.execute(db);
  await sql`create trigger requirement_results_notify after insert on requirement_results
            referencing new table as inserted for each statement execute function notify_results_stored()`.execute(db);
  // The overview asks for the newest result of every ToE of an organization.
  await sql`create index requirement_results_toe_id on requirement_results (toe, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index requirement_results_toe_id`.execute(db);
  await sql`drop trigger requirement_results_notify on requirement_results`.execute(db);
  await sql`drop function notify_results_stored`.execute(db);
  await sql`drop trigger postures_notify on postures`.execute(db);
  await sql`drop function notify_posture_stored`.execute(db);
  await sql`drop trigger evidence_index_measurements on evidence`.execute(db);
  await sql`drop function index_evidence_measurements`.execute(db);
  await db.schema.dropTable('evidence_measurements').execute();
}
