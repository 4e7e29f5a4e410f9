import pg from 'pg';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@cabc/testing';
import { startPlatform, type Platform, type PlatformOptions } from '../src/index.ts';

/** Databases and a queue prefix of this test file's own, with the settings every platform test starts from. */
export async function testPlatformResources(name: string) {
  const databases: TestDatabase[] = [];
  const database = async (service: Parameters<typeof createTestDatabase>[0]) => {
    const created = await createTestDatabase(service);
    databases.push(created);
    return created.url;
  };
  const queuePrefix = testQueuePrefix(name);
  const options: PlatformOptions = {
    databaseUrl: '',
    databaseUrls: {
      collector: await database('evidence-collector'),
      assessment: await database('assessment'),
      certificationBody: await database('certification-body'),
    },
    redisUrl: testRedisUrl(),
    queuePrefix,
    keyEncryptionSecret: 'test-only-key-encryption-secret',
    logLevel: 'error',
    reconcileInterval: '500ms',
    retryMaxDelay: '1s',
    migrate: false,
  };
  return {
    options,
    release: async () => {
      await deleteRedisPrefix(queuePrefix);
      for (const created of databases) await created.drop();
    },
  };
}

/** The three services in this process, on databases and a queue prefix of this test file's own. */
export async function startTestPlatform(
  overrides: Partial<PlatformOptions> = {},
): Promise<Platform & { dispose: () => Promise<void> }> {
  const resources = await testPlatformResources('platform');
  const platform = await startPlatform({ ...resources.options, ...overrides });
  return {
    ...platform,
    dispose: async () => {
      await platform.close();
      await resources.release();
    },
  };
}

export function performanceEvidence(toe: string, accuracy: number, observedAt = new Date()) {
  return {
    toe,
    subject: [{ name: 'model.onnx', digest: { sha256: 'a'.repeat(64) } }],
    kind: 'performance',
    producer: { tool: 'pytest-eval', toolVersion: '1.0.0', pipelineRunId: `run-${accuracy}` },
    observedAt: observedAt.toISOString(),
    context: { dataset: 'holdout', split: 'test' },
    measurements: [{ name: 'accuracy', value: accuracy }],
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : undefined,
  };
}

export async function getJson(url: string, token?: string) {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: (await response.json()) as any };
}

/** Rows of one SQL query on a service's database (what an operator, or an attacker with database access, sees). */
export async function queryDatabase<T extends pg.QueryResultRow>(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
