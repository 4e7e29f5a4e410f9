import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

// int8 (bigserial ids, counts) arrive as strings by default; our ids and sequence numbers fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Database<Schema> = Kysely<Schema>;

export function createDatabase<Schema>(connectionString: string, options: { max?: number } = {}): Kysely<Schema> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client whose server went away emits an error; without a listener that would crash the process.
  pool.on('error', () => {});
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}
