import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrlFor } from '@cabc/service-kit';
import { startPlatform, type PlatformOptions } from '@cabc/platform';

/** The platform on throw-away databases and queue prefix; dropped on dispose. */
export async function startBenchPlatform(overrides: Partial<PlatformOptions> = {}) {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const run = randomBytes(4).toString('hex');
  const platform = await startPlatform({
    databaseUrl,
    databasePrefix: `cabc_bench_${run}`,
    redisUrl,
    queuePrefix: `cabc-bench-${run}`,
    keyEncryptionSecret: randomBytes(24).toString('base64url'),
    logLevel: 'warn',
    reconcileInterval: '5s',
    ...overrides,
  });
  return {
    ...platform,
    dispose: async () => {
      await platform.close();
      const admin = new pg.Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres') });
      await admin.connect();
      for (const url of Object.values(platform.databaseUrls)) {
        await admin.query(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
      }
      await admin.end();
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`cabc-bench-${run}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
