import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { databaseUrlFor } from '@cabc/service-kit';
import { localState } from '../../scripts/lib/infrastructure.ts';
import { dropLocalData, localNames } from '../../scripts/lib/local-data.ts';
import { LocalDataLockedError, startLocalPlatform } from '../../scripts/lib/local-platform.ts';
import '../../packages/testing/src/provided-context.ts';

// The run command's local state: each checkout (its .data/) owns its databases on a shared Postgres, and data it
// cannot open is reported with what to do, never a stack trace.
const checkouts = [
  mkdtempSync(path.join(tmpdir(), 'cabc-checkout-a-')),
  mkdtempSync(path.join(tmpdir(), 'cabc-checkout-b-')),
];
const env = {
  DATABASE_URL: inject('databaseUrl'),
  REDIS_URL: inject('redisUrl'),
  COLLECTOR_PORT: '0',
  ASSESSMENT_PORT: '0',
  CERTIFICATION_BODY_PORT: '0',
  LOG_LEVEL: 'silent',
};
const log = () => {};

async function databasesNamed(prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrlFor(env.DATABASE_URL, 'postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname like $1 order by 1',
      [`${prefix}_%`],
    );
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

async function startAndStop(dataDir: string, extra: Record<string, string> = {}, reset = false, processes = false) {
  const output = new PassThrough().resume();
  const running = await startLocalPlatform({
    dataDir,
    log,
    env: { ...env, ...extra },
    reset,
    ...(processes ? { processes: { output } } : {}),
  });
  const health = await fetch(`${running.platform.urls.assessment}/healthz`);
  await running.stop();
  return health.status;
}

afterAll(async () => {
  for (const dataDir of checkouts) {
    await dropLocalData(localNames(localState(dataDir), env), env.DATABASE_URL, env.REDIS_URL);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('the run command on one machine with two checkouts', () => {
  it('starts both, one after the other, each with databases of its own', async () => {
    expect(await startAndStop(checkouts[0]!)).toBe(200);
    expect(await startAndStop(checkouts[1]!)).toBe(200);
    const [a, b] = checkouts.map((dataDir) => localNames(localState(dataDir), env).databasePrefix);
    expect(a).not.toBe(b);
    expect(await databasesNamed(a!)).toEqual([`${a}_assessment`, `${a}_certification_body`, `${a}_evidence_collector`]);
    expect(await databasesNamed(b!)).toHaveLength(3);
    expect(await startAndStop(checkouts[0]!)).toBe(200);
  });

  it('says what happened and what to do when its data was sealed with another secret, and --reset-local-data recovers', async () => {
    const other = { KEY_ENCRYPTION_SECRET: 'not-the-secret-these-databases-were-sealed-with' };
    const error = await startAndStop(checkouts[0]!, other).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LocalDataLockedError);
    expect((error as Error).message).toMatch(/sealed with\s+another key-encryption secret/);
    expect((error as Error).message).toContain('./scripts/run-platform.sh --reset-local-data');
    expect(await startAndStop(checkouts[0]!, other, true)).toBe(200);
    expect(await startAndStop(checkouts[0]!, other)).toBe(200);
  });

  it('as supervised processes (the run command without --single-process): starts, and explains sealed data the same way', async () => {
    expect(await startAndStop(checkouts[1]!, {}, false, true)).toBe(200);
    const other = { KEY_ENCRYPTION_SECRET: 'not-the-secret-these-databases-were-sealed-with' };
    const error = await startAndStop(checkouts[1]!, other, false, true).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LocalDataLockedError);
    expect((error as Error).message).toContain('./scripts/run-platform.sh --reset-local-data');
  });
});
