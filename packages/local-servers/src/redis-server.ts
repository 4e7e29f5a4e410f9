import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { isRedisReachable } from '@cabc/service-kit';
import { freePort } from './free-port.ts';

export interface LocalRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL): what a shutdown does. */
  stop: () => Promise<void>;
  /** Kills the server at once (SIGKILL): what a crash does. */
  kill: () => Promise<void>;
}

export function hasRedisServerBinary(binary = 'redis-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A redis-server binary of our own on a private loopback port, without persistence (Redis may lose jobs by design;
 * Postgres holds what must arrive). `dir` is its working folder (e.g. .data/redis).
 */
export async function startRedisServer(
  options: { port?: number; dir?: string; binary?: string } = {},
): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ];
  const child: ChildProcess = spawn(
    options.binary ?? 'redis-server',
    [...args, ...(options.dir ? ['--dir', options.dir] : [])],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A server we started never outlives us, even when we die of an uncaught error.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const deadline = Date.now() + 10_000;
  while (!(await isRedisReachable(url, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(name);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { url, port, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
