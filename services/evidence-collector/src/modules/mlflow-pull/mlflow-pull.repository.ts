import type { Kysely, Transaction } from 'kysely';

interface PullDatabase {
  mlflow_watermarks: { tracking_uri: string; experiment_id: string; start_time_ms: string | number; updated_at: Date };
  mlflow_collected_runs: {
    tracking_uri: string;
    run_id: string;
    experiment_id: string;
    start_time_ms: string | number;
    submission_id: string | null;
    outcome: 'collected' | 'skipped';
    detail: string | null;
    collected_at: Date;
  };
}

export interface CollectedRun {
  trackingUri: string;
  runId: string;
  experimentId: string;
  startTimeMs: number;
  submissionId: string | null;
  outcome: 'collected' | 'skipped';
  detail: string | null;
}

/** What the MLflow poller has read: a start-time watermark per experiment and every run it turned into evidence. */
export function createMlflowPullRepository(database: Kysely<any>) {
  const db = database as Kysely<PullDatabase>;
  return {
    async watermark(trackingUri: string, experimentId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('mlflow_watermarks')
        .select('start_time_ms')
        .where('tracking_uri', '=', trackingUri)
        .where('experiment_id', '=', experimentId)
        .executeTakeFirst();
      return row ? Number(row.start_time_ms) : undefined;
    },

    /** Moves the watermark forward only (a slower replica never moves it back). */
    async advanceWatermark(trackingUri: string, experimentId: string, startTimeMs: number): Promise<void> {
      await db
        .insertInto('mlflow_watermarks')
        .values({
          tracking_uri: trackingUri,
          experiment_id: experimentId,
          start_time_ms: startTimeMs,
          updated_at: new Date(),
        })
        .onConflict((conflict) =>
          conflict
            .columns(['tracking_uri', 'experiment_id'])
            .doUpdateSet({ start_time_ms: startTimeMs, updated_at: new Date() })
            .where('mlflow_watermarks.start_time_ms', '<', startTimeMs),
        )
        .execute();
    },

    async knownRunIds(trackingUri: string, runIds: string[]): Promise<Set<string>> {
      if (runIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('mlflow_collected_runs')
        .select('run_id')
        .where('tracking_uri', '=', trackingUri)
        .where('run_id', 'in', runIds)
        .execute();
      return new Set(rows.map((row) => row.run_id));
    },

    /** Recorded in the evidence's own transaction when collected, so a run becomes evidence exactly once. */
    async record(run: CollectedRun, trx?: Transaction<any>): Promise<void> {
      await ((trx as Transaction<PullDatabase> | undefined) ?? db)
        .insertInto('mlflow_collected_runs')
        .values({
          tracking_uri: run.trackingUri,
          run_id: run.runId,
          experiment_id: run.experimentId,
          start_time_ms: run.startTimeMs,
          submission_id: run.submissionId,
          outcome: run.outcome,
          detail: run.detail,
          collected_at: new Date(),
        })
        .execute();
    },

    async collectedRuns(trackingUri: string): Promise<CollectedRun[]> {
      const rows = await db
        .selectFrom('mlflow_collected_runs')
        .selectAll()
        .where('tracking_uri', '=', trackingUri)
        .orderBy('start_time_ms')
        .execute();
      return rows.map((row) => ({
        trackingUri: row.tracking_uri,
        runId: row.run_id,
        experimentId: row.experiment_id,
        startTimeMs: Number(row.start_time_ms),
        submissionId: row.submission_id,
        outcome: row.outcome,
        detail: row.detail,
      }));
    },
  };
}

export type MlflowPullRepository = ReturnType<typeof createMlflowPullRepository>;
