import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { databaseUrlFor, type ServiceName } from '@cabc/service-kit';
import './provided-context.ts';

export interface TestDatabase {
  url: string;
  name: string;
  drop: () => Promise<void>;
}

/** A fresh database for one test file, cloned from the service's migrated template (fast: a file copy). */
export async function createTestDatabase(service: ServiceName): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const template = inject('templates')[service];
  if (!template) throw new Error(`no template database for ${service}`);
  const name = `cabc_t_${inject('runId')}_${service.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrlFor(serverUrl, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
