import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDatabase, databaseUrlFor, ensureDatabaseExists, migrateToLatest, type ServiceName } from '@cabc/database';
import './provided-context.ts';

const services: ServiceName[] = ['evidence-collector', 'assessment', 'certification-body'];

async function startContainers(needPostgres: boolean, needRedis: boolean) {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  try {
    if (needPostgres) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:16-alpine').start();
      stops.push(() => container.stop());
      databaseUrl = container.getConnectionUri();
    }
    if (needRedis) {
      const { RedisContainer } = await import('@testcontainers/redis');
      const container = await new RedisContainer('redis:7-alpine').withCommand(['redis-server', '--maxmemory-policy', 'noeviction']).start();
      stops.push(() => container.stop());
      redisUrl = container.getConnectionUrl();
    }
  } catch (error) {
    throw new Error(
      'Tests need Postgres and Redis: set DATABASE_URL and REDIS_URL, or run a Docker engine for testcontainers. ' +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { databaseUrl: databaseUrl!, redisUrl: redisUrl!, stop: () => Promise.all(stops.map((stop) => stop())) };
}

/** Migrates one template database per service; every test file clones its own database from these. */
export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env = await startContainers(!process.env.DATABASE_URL, !process.env.REDIS_URL);
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
