import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

// int8 (bigserial ids, counts) arrive as strings by default; our ids and sequence numbers fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Database<Schema> = Kysely<Schema>;

export function createDatabase<Schema>(connectionString: string, options: { max?: number } = {}): Kysely<Schema> {
  // Workers, HTTP handlers and ledger batches share the pool; a connection that cannot be had within 10 s is an
  // error rather than a hang (a transaction holding a lock must never wait forever for a second connection).
  const pool = new pg.Pool({ connectionString, max: options.max ?? 20, connectionTimeoutMillis: 10_000 });
  // An idle client whose server went away emits an error; without a listener that would crash the process.
  pool.on('error', () => {});
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}
