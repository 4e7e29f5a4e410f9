import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { certifyToe, type CertifiedToe } from '../src/index.ts';
import { performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';
import { hasRedisServerBinary, startRedisServer } from '@cabc/local-servers';

async function digests(databaseUrl: string, sql: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ digest: string }>(sql)).rows.map((row) => row.digest).sort();
  } finally {
    await client.end();
  }
}

const sentDigests = (platform: { databaseUrls: { collector: string } }) =>
  digests(platform.databaseUrls.collector, 'select envelope_sha256 as digest from evidence');
const receivedDigests = (platform: { databaseUrls: { assessment: string } }) =>
  digests(platform.databaseUrls.assessment, 'select envelope_sha256 as digest from evidence');

async function submitMany(collectorUrl: string, toe: CertifiedToe, count: number, from = 0) {
  for (let index = from; index < from + count; index += 1) {
    const response = await postJson(
      `${collectorUrl}/v1/evidence`,
      performanceEvidence(toe.toeId, 0.9 + index / 10_000, new Date(Date.now() - 60_000 + index)),
      { authorization: `Bearer ${toe.tokens.pipeline}` },
    );
    expect(response.status).toBe(201);
  }
}

async function expectExactlyOnce(
  platform: Parameters<typeof sentDigests>[0] & Parameters<typeof receivedDigests>[0],
  expected: number,
) {
  const received = await waitFor(
    `${expected} envelopes at the assessment service`,
    async () => {
      const rows = await receivedDigests(platform);
      return rows.length >= expected ? rows : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const sent = await sentDigests(platform);
  expect(sent).toHaveLength(expected);
  expect(received).toEqual(sent);
}

describe('delivery without loss', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('delivers everything exactly once after the assessment service was down for a while', async () => {
    const platform = await startTestPlatform();
    dispose = platform.dispose;
    const toe = await certifyToe(platform, { org: 'acme', name: 'receiver-down' });
    await platform.stop('assessment');
    await submitMany(platform.urls.collector, toe, 12);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // deliveries fail and back off meanwhile
    expect(await sentDigests(platform)).toHaveLength(12);
    await platform.start('assessment');
    await expectExactlyOnce(platform, 12);
  });

  it('delivers everything exactly once when the collector stops mid-delivery and starts again', async () => {
    const platform = await startTestPlatform();
    dispose = platform.dispose;
    const toe = await certifyToe(platform, { org: 'acme', name: 'collector-restart' });
    await submitMany(platform.urls.collector, toe, 10);
    await platform.stop('collector');
    await platform.start('collector');
    await submitMany(platform.urls.collector, toe, 5, 10);
    await expectExactlyOnce(platform, 15);
  });

  it.skipIf(!hasRedisServerBinary())(
    'delivers everything exactly once when Redis restarts empty mid-delivery',
    async () => {
      const redis = await startRedisServer();
      const platform = await startTestPlatform({ redisUrl: redis.url });
      dispose = async () => {
        await platform.dispose();
        await redis.kill();
      };
      const toe = await certifyToe(platform, { org: 'acme', name: 'redis-restart' });
      await platform.stop('assessment'); // deliveries pile up as delayed retry jobs in Redis
      await submitMany(platform.urls.collector, toe, 10);
      await redis.kill(); // every job is gone: Redis keeps nothing
      const restarted = await startRedisServer({ port: redis.port });
      dispose = async () => {
        await platform.dispose();
        await restarted.kill();
      };
      await platform.start('assessment');
      await expectExactlyOnce(platform, 10);
    },
  );
});
