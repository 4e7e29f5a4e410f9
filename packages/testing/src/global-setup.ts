import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { providePostgres, provideRedis } from '@cabc/local-servers';
import {
  createDatabase,
  databaseUrlFor,
  ensureDatabaseExists,
  migrateToLatest,
  type ServiceName,
} from '@cabc/service-kit';
import './provided-context.ts';

const services: ServiceName[] = ['evidence-collector', 'assessment', 'certification-body'];

/**
 * DATABASE_URL and REDIS_URL when the test command set them; otherwise (vitest run directly) the same fallbacks the
 * README commands use, with the data of started servers in a temporary folder.
 */
async function provideServers() {
  const log = (line: string) => process.stderr.write(`cabc: ${line}\n`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cabc-test-servers-'));
  const redis = await provideRedis({ dataDir, log });
  const postgres = await providePostgres({ dataDir, log, embeddedPassword: randomBytes(12).toString('hex') });
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Migrates one template database per service; every test file clones its own database from these. */
export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env = await provideServers();
  const templates: Record<string, string> = {};
  for (const service of services) {
    const name = `cabc_tpl_${service.replaceAll('-', '_')}_${runId}`;
    const url = databaseUrlFor(env.databaseUrl, name);
    await ensureDatabaseExists(url);
    const db = createDatabase<any>(url, { max: 1 });
    try {
      await migrateToLatest(db, service);
    } finally {
      await db.destroy();
    }
    templates[service] = name;
  }
  project.provide('databaseUrl', env.databaseUrl);
  project.provide('redisUrl', env.redisUrl);
  project.provide('templates', templates);
  project.provide('runId', runId);

  return async () => {
    const client = new pg.Client({ connectionString: databaseUrlFor(env.databaseUrl, 'postgres') });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `select datname from pg_database where datname like $1 or datname like $2`,
        [`cabc_tpl_%_${runId}`, `cabc_t_${runId}_%`],
      );
      for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await client.end();
    }
    await env.stop();
  };
}
