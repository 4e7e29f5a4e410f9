import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRedisReachable } from '@cabc/service-kit';
import {
  freePort,
  hasRedisServerBinary,
  MissingInfrastructureError,
  providePostgres,
  provideRedis,
} from '../src/index.ts';

// The order in which the README commands find or start a Redis, with the default local port pointed at a closed one
// so that the test does not depend on what runs on this machine.
const dataDir = mkdtempSync(path.join(tmpdir(), 'cabc-provide-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const lines: string[] = [];
const log = (line: string) => lines.push(line);
const closed = async () => `redis://127.0.0.1:${await freePort()}`;

describe('provideRedis', () => {
  it('uses REDIS_URL when it answers, and says so when it does not (no silent fallback)', async () => {
    const unreachable = await closed();
    await expect(provideRedis({ dataDir, log, env: { REDIS_URL: unreachable } })).rejects.toThrow(
      /REDIS_URL is set but Redis does not answer/,
    );
  });

  it.runIf(hasRedisServerBinary())(
    'starts a redis-server binary of its own when nothing is configured or local, and stops it',
    async () => {
      const redis = await provideRedis({ dataDir, log, env: {}, localRedisUrl: await closed() });
      expect(redis.source).toMatch(/^redis-server on port \d+$/);
      expect(await isRedisReachable(redis.url)).toBe(true);
      await redis.stop();
      expect(await isRedisReachable(redis.url, 300)).toBe(false);
    },
  );

  it('stops, listing what it tried and how to provide one, when every fallback fails', async () => {
    const saved = { DOCKER_HOST: process.env.DOCKER_HOST, REDISMS_DOWNLOAD_URL: process.env.REDISMS_DOWNLOAD_URL };
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    process.env.REDISMS_DOWNLOAD_URL = 'http://127.0.0.1:1/redis.tar.gz';
    try {
      const error = await provideRedis({
        dataDir,
        log,
        env: { REDIS_SERVER_BINARY: 'redis-server-that-is-not-installed' },
        localRedisUrl: await closed(),
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MissingInfrastructureError);
      const message = (error as Error).message;
      for (const tried of [
        'REDIS_URL (unset)',
        'none answers',
        'redis-server-that-is-not-installed binary on the PATH (none)',
        'a Docker engine for testcontainers',
        'redis-memory-server',
        'apt-get install redis-server',
      ]) {
        expect(message).toContain(tried);
      }
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('providePostgres', () => {
  it.runIf(process.getuid?.() === 0)(
    'says which folder the postgres user cannot enter instead of crashing on EACCES',
    async () => {
      const closedFolder = mkdtempSync(path.join(tmpdir(), 'cabc-closed-'));
      chmodSync(closedFolder, 0o700);
      try {
        const error = await providePostgres({
          dataDir: path.join(closedFolder, 'data'),
          log,
          env: {},
          embeddedPassword: 'x',
          localPostgresUrl: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
        }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(MissingInfrastructureError);
        expect((error as Error).message).toContain(`cannot enter ${closedFolder}`);
      } finally {
        rmSync(closedFolder, { recursive: true, force: true });
      }
    },
  );
});
