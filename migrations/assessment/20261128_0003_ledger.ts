import { sql, type Kysely } from 'kysely';

// The evidence ledger's Merkle log (RFC 6962), see docs/ledger.md. Everything but the tree head is append-only.
export async function up(db: Kysely<any>): Promise<void> {
  // The tree head: one row, locked (select … for update) by every append, so appends are serialized. `edge` holds the
  // hashes of the perfect subtrees that tile [0, size) (largest first, 32 bytes each): all an append needs to read.
  await db.schema
    .createTable('ledger_head')
    .addColumn('id', 'boolean', (col) => col.primaryKey().defaultTo(true).check(sql`id`))
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('edge', 'bytea', (col) => col.notNull().check(sql`length(edge) % 32 = 0`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into ledger_head (id, size, edge) values (true, 0, ''::bytea)`.execute(db);

  // One row per leaf: its position, the evidence it commits to, and the leaf hash. No foreign key to evidence: the
  // log remembers what it committed even if an evidence row is tampered with.
  await db.schema
    .createTable('ledger_leaves')
    .addColumn('leaf_index', 'bigint', (col) => col.primaryKey())
    .addColumn('evidence_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('envelope_sha256', 'text', (col) => col.notNull())
    .addColumn('leaf_hash', 'bytea', (col) => col.notNull().check(sql`length(leaf_hash) = 32`))
    .execute();

  // Hashes of the perfect subtrees: node (level, idx) covers leaves [idx·2^level, (idx+1)·2^level); level 0 = leaves.
  await db.schema
    .createTable('ledger_nodes')
    .addColumn('level', 'smallint', (col) => col.notNull())
    .addColumn('idx', 'bigint', (col) => col.notNull())
    .addColumn('hash', 'bytea', (col) => col.notNull().check(sql`length(hash) = 32`))
    .addPrimaryKeyConstraint('ledger_nodes_pkey', ['level', 'idx'])
    .execute();

  // Every signed tree head (C2SP signed note), kept forever. One per size and signing key.
  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('root_hash', 'bytea', (col) => col.notNull().check(sql`length(root_hash) = 32`))
    .addColumn('kid', 'text', (col) => col.notNull())
    .addColumn('verifier_key', 'text', (col) => col.notNull())
    .addColumn('note', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('ledger_checkpoints_size_kid', ['size', 'kid'])
    .execute();
  await db.schema.createIndex('ledger_checkpoints_latest').on('ledger_checkpoints').columns(['size', 'id']).execute();

  await sql`
    create function refuse_ledger_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  for (const table of ['ledger_leaves', 'ledger_nodes', 'ledger_checkpoints']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
              for each row execute function refuse_ledger_change()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['ledger_checkpoints', 'ledger_nodes', 'ledger_leaves', 'ledger_head']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function refuse_ledger_change`.execute(db);
}
