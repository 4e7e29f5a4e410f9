import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { createLogger } from '../logging/logger.ts';
import { connectionState } from '../runtime/connection-state.ts';

// int8 (bigserial ids, counts) arrive as strings by default; our ids and sequence numbers fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Database<Schema> = Kysely<Schema>;

export function createDatabase<Schema>(
  connectionString: string,
  options: { max?: number; logger?: Pick<Logger, 'warn' | 'info' | 'debug'> } = {},
): Kysely<Schema> {
  // Workers, HTTP handlers and ledger batches share the pool; a connection that cannot be had within 10 s is an
  // error rather than a hang (a transaction holding a lock must never wait forever for a second connection).
  const pool = new pg.Pool({ connectionString, max: options.max ?? 20, connectionTimeoutMillis: 10_000 });
  const state = connectionState(options.logger ?? createLogger('database'), 'Postgres');
  // A server that goes away makes every connection emit 'error': the pool listens only while a client is idle, and a
  // checked-out client (a query or transaction in progress) with no listener of its own would crash the process.
  // The query in progress fails by itself (the request answers 503); the pool replaces the connection.
  pool.on('error', (error) => state.down(error));
  pool.on('connect', (client) => {
    client.on('error', (error) => state.down(error));
    state.up();
  });
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}
