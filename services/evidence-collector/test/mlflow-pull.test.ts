import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@cabc/service-kit';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, waitFor, type TestDatabase } from '@cabc/testing';
import { loadCollectorConfig } from '../src/config.ts';
import { startCollector, type RunningCollector } from '../src/service.ts';
import { bearer, collectorEnv, TEST_ORG } from './support/collector-app.ts';
import { startFakeMlflow, type FakeRun } from './support/mlflow-server.ts';
import { bytesOf, formatFiles } from './support/native.ts';

const sample = JSON.parse(bytesOf(formatFiles.find(({ format }) => format === 'mlflow-run')!.file).toString('utf8'))
  .run as FakeRun;
const MODEL_SHA = 'd'.repeat(64);
const TAGGED_SHA = 'e'.repeat(64);

function variant(
  runId: string,
  startTime: number,
  changes: { status?: string; experiment?: string; tags?: { key: string; value: string }[] } = {},
): FakeRun {
  return {
    ...structuredClone(sample),
    info: {
      ...sample.info,
      run_id: runId,
      run_uuid: runId,
      experiment_id: changes.experiment ?? sample.info.experiment_id,
      status: changes.status ?? 'FINISHED',
      start_time: startTime,
      end_time: startTime + 5_000,
    },
    data: { ...structuredClone(sample.data), tags: [...(sample.data.tags ?? []), ...(changes.tags ?? [])] },
  };
}

describe('MLflow pull collection', () => {
  let database: TestDatabase;
  let prefix: string;
  let mlflow: Awaited<ReturnType<typeof startFakeMlflow>>;
  let collector: RunningCollector | undefined;
  let env: Record<string, string>;
  const t0 = sample.info.start_time;

  beforeAll(async () => {
    database = await createTestDatabase('evidence-collector');
    prefix = testQueuePrefix('collector-mlflow');
    mlflow = await startFakeMlflow({
      pageSize: 1,
      token: 'mlflow-secret-token',
      runs: [
        sample, // the real run_raw.json sample, experiment "2"
        variant('run-tagged', t0 + 1_000, {
          tags: [{ key: 'cabc.subject', value: `retrained.onnx@sha256:${TAGGED_SHA}` }],
        }),
        variant('run-failed', t0 + 2_000, { status: 'FAILED' }),
        variant('run-other-experiment', t0 + 3_000, { experiment: '99' }),
        variant('run-bad-tag', t0 + 4_000, { tags: [{ key: 'cabc.subject', value: 'no-digest-here' }] }),
      ],
    });
    env = await collectorEnv(database.url, prefix, {
      PORT: '0',
      MLFLOW_TRACKING_URI: mlflow.url,
      MLFLOW_EXPERIMENT_IDS: '2',
      MLFLOW_TOE: 'credit-scoring',
      MLFLOW_MODEL_DIGEST: `model.pkl@sha256:${MODEL_SHA}`,
      MLFLOW_POLL_INTERVAL: '1h',
      MLFLOW_LOOKBACK: '1h',
      MLFLOW_TRACKING_TOKEN: 'mlflow-secret-token',
    });
    collector = await startCollector(loadCollectorConfig(env));
  });
  afterAll(async () => {
    await collector?.close();
    await mlflow?.close();
    await deleteRedisPrefix(prefix);
    await database?.drop();
  });

  const db = () => createDatabase<any>(database.url, { max: 1 });
  async function collectedRuns() {
    const handle = db();
    try {
      const { rows } = await sql<{ run_id: string; outcome: string; detail: string | null }>`
        select run_id, outcome, detail from mlflow_collected_runs order by start_time_ms`.execute(handle);
      return rows;
    } finally {
      await handle.destroy();
    }
  }
  async function evidenceRows() {
    const handle = db();
    try {
      const { rows } = await sql<{ id: string; org: string; toe: string; kind: string; format: string }>`
        select id, org, toe, kind, format from evidence order by seq`.execute(handle);
      return rows;
    } finally {
      await handle.destroy();
    }
  }

  it('collects the finished runs on its first scheduled pass, paging through runs/search with the token', async () => {
    const runs = await waitFor('the first pass', async () => {
      const rows = await collectedRuns();
      return rows.length >= 3 ? rows : undefined;
    });
    expect(runs).toEqual([
      { run_id: sample.info.run_id, outcome: 'collected', detail: null },
      { run_id: 'run-tagged', outcome: 'collected', detail: null },
      { run_id: 'run-bad-tag', outcome: 'skipped', detail: expect.stringContaining('cabc.subject') },
    ]);
    const first = mlflow.requests[0]!;
    expect(first).toMatchObject({
      experiment_ids: ['2'],
      order_by: ['attributes.start_time ASC'],
      authorization: 'Bearer mlflow-secret-token',
    });
    expect(first.filter).toBe("attributes.status = 'FINISHED' AND attributes.start_time >= 0");
    // Page size 1 at the server: one request per finished run of experiment 2, then the last page.
    expect(mlflow.requests.map((request) => request.page_token ?? null)).toEqual([null, '1', '2']);
  });

  it('turns each run into signed evidence through the mlflow-run adapter, about the configured or tagged model', async () => {
    const rows = await evidenceRows();
    // run_raw.json yields performance + model_parameters; so does each variant.
    expect(rows.map((row) => row.kind)).toEqual(['performance', 'model_parameters', 'performance', 'model_parameters']);
    for (const row of rows) expect(row).toMatchObject({ org: TEST_ORG, toe: 'credit-scoring', format: 'mlflow-run' });

    const auth = await bearer('auditee');
    const subjects: string[] = [];
    for (const row of rows) {
      const envelope = await fetch(`${collector!.url}/v1/evidence/${row.id}/envelope`, { headers: auth });
      expect(envelope.status).toBe(200);
      const statement = JSON.parse(Buffer.from(((await envelope.json()) as any).payload, 'base64').toString('utf8'));
      subjects.push(statement.subject[0].digest.sha256);
      expect(statement.predicate.producer.pipelineRunId).toBeDefined();
      const raw = await fetch(`${collector!.url}/v1/raw/${statement.predicate.raw.digest.sha256}`, { headers: auth });
      expect(raw.status).toBe(200);
      expect(((await raw.json()) as any).run.info.run_id).toBe(statement.predicate.producer.pipelineRunId);
    }
    expect(subjects).toEqual([MODEL_SHA, MODEL_SHA, TAGGED_SHA, TAGGED_SHA]);
    const performance = JSON.parse(
      Buffer.from(
        (
          (await (
            await fetch(`${collector!.url}/v1/evidence/${rows[0]!.id}/envelope`, { headers: auth })
          ).json()) as any
        ).payload,
        'base64',
      ).toString('utf8'),
    );
    expect(performance.predicate.measurements).toContainEqual({ name: 'rmse', value: 0.7367947360663162 });
    expect(performance.predicate.observedAt).toBe(new Date(sample.info.end_time as number).toISOString());
  });

  it('remembers the watermark, and a restart collects nothing twice', async () => {
    const handle = db();
    const { rows } = await sql<{
      start_time_ms: string;
    }>`select start_time_ms from mlflow_watermarks where experiment_id = '2'`.execute(handle);
    await handle.destroy();
    expect(Number(rows[0]!.start_time_ms)).toBe(t0 + 4_000);

    await collector!.close();
    collector = await startCollector(loadCollectorConfig(env));
    await waitFor('the pass after the restart', () => mlflow.requests.length > 3);
    expect(await collector.pollMlflow!()).toEqual({ collected: 0, skipped: 0, evidence: 0 });
    expect((await evidenceRows()).length).toBe(4);
    // Searches now start at the watermark minus the look-back.
    expect(mlflow.requests.at(-1)!.filter).toBe(
      `attributes.status = 'FINISHED' AND attributes.start_time >= ${t0 + 4_000 - 3_600_000}`,
    );
  });

  it('collects runs that finish later, including one that started before the watermark (look-back)', async () => {
    mlflow.runs.push(variant('run-new', t0 + 10_000));
    mlflow.runs.find((run) => run.info.run_id === 'run-failed')!.info.status = 'FINISHED'; // re-run: started at t0 + 2 s
    expect(await collector!.pollMlflow!()).toEqual({ collected: 2, skipped: 0, evidence: 4 });
    expect((await collectedRuns()).filter((run) => run.outcome === 'collected').map((run) => run.run_id)).toEqual([
      sample.info.run_id,
      'run-tagged',
      'run-failed',
      'run-new',
    ]);
    expect(await collector!.pollMlflow!()).toEqual({ collected: 0, skipped: 0, evidence: 0 });
  });
});
