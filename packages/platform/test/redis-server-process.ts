import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { isRedisReachable } from '@cabc/queues';
import { freePort } from '../src/index.ts';

export const hasRedisServerBinary = spawnSync('redis-server', ['--version']).status === 0;

/** A Redis server of this test's own (no persistence), so killing it cannot disturb other test files. */
export async function startRedisServer(port?: number): Promise<{ url: string; port: number; kill: () => Promise<void> }> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 10_000;
  while (!(await isRedisReachable(url, 200))) {
    if (Date.now() > deadline) throw new Error(`redis-server on ${chosen} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port: chosen,
    kill: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
