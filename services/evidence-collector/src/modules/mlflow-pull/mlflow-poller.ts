import type { Logger } from 'pino';
import type { ResourceDescriptor } from '@cabc/contracts';
import { isUniqueViolation, startPeriodic } from '@cabc/service-kit';
import { HttpProblem } from '@cabc/http-kit';
import type { EvidenceService, Submitter } from '../evidence/evidence.service.ts';
import { parseSubjectReference } from '../evidence/subject-reference.ts';
import { runIdOf, startTimeOf, tagOf, type MlflowClient, type MlflowRun } from './mlflow-client.ts';
import type { MlflowPullRepository } from './mlflow-pull.repository.ts';

/** A run tag naming the model the run produced or evaluated, `<name>@sha256:<hex>`; it wins over MLFLOW_MODEL_DIGEST. */
export const SUBJECT_TAG = 'cabc.subject';
const PAGE_SIZE = 200;

export interface MlflowPullOptions {
  trackingUri: string;
  experimentIds: string[];
  toe: string;
  model: ResourceDescriptor | undefined;
  lookbackMs: number;
  submitter: Submitter;
}

export interface PollSummary {
  collected: number;
  skipped: number;
  evidence: number;
}

/**
 * Pull collection: finds the FINISHED runs of the configured experiments that started at or after the watermark
 * (minus a look-back, for runs that finished after later-started ones), turns each run not collected yet into
 * evidence through the mlflow-run adapter, and records the run in the evidence's transaction (restarts and replicas
 * never collect a run twice).
 */
/** Pages of runs read per experiment and poll; what is left is read at the next poll. */
const MAX_PAGES_PER_RUN = 100;

export function createMlflowPuller(deps: {
  client: MlflowClient;
  repository: MlflowPullRepository;
  evidence: EvidenceService;
  logger: Logger;
  options: MlflowPullOptions;
}) {
  const { client, repository, evidence, logger, options } = deps;

  async function collect(
    run: MlflowRun,
    runId: string,
    experimentId: string,
  ): Promise<{ outcome: 'collected' | 'skipped' | 'known'; evidence: number }> {
    const startTimeMs = startTimeOf(run);
    const base = { trackingUri: options.trackingUri, runId, experimentId, startTimeMs };
    const skip = async (detail: string) => {
      logger.warn({ runId, experimentId, detail }, 'MLflow run skipped');
      try {
        await repository.record({ ...base, submissionId: null, outcome: 'skipped', detail });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      return { outcome: 'skipped' as const, evidence: 0 };
    };

    let subjects: ResourceDescriptor[] = options.model ? [options.model] : [];
    const tagged = tagOf(run, SUBJECT_TAG);
    if (tagged !== undefined) {
      const parsed = parseSubjectReference(tagged);
      if (typeof parsed === 'string') return skip(`tag ${SUBJECT_TAG}: ${parsed}`);
      subjects = [parsed];
    }
    if (subjects.length === 0)
      return skip(`no subject: set MLFLOW_MODEL_DIGEST or tag the run with ${SUBJECT_TAG}=<name>@sha256:<hex>`);

    // The run as runs/search returned it, in runs/get's shape: the raw artefact the auditor can compare.
    const bytes = Buffer.from(JSON.stringify({ run }), 'utf8');
    try {
      const result = await evidence.submit(
        {
          mode: 'pull',
          toe: options.toe,
          format: 'mlflow-run',
          subjects,
          files: [{ bytes, filename: `mlflow-run-${runId}.json`, mediaType: 'application/json' }],
        },
        options.submitter,
        {
          within: (trx, submissionId) =>
            repository.record({ ...base, submissionId, outcome: 'collected', detail: null }, trx),
        },
      );
      return { outcome: 'collected', evidence: result.mode === 'unified' ? 1 : result.view.evidence.length };
    } catch (error) {
      if (isUniqueViolation(error)) return { outcome: 'known', evidence: 0 }; // another replica collected it meanwhile
      if (error instanceof HttpProblem && error.status < 500) return skip(error.message);
      throw error;
    }
  }

  return {
    /** One pass over every configured experiment. Errors (server unreachable, database down) end the pass. */
    async pollOnce(): Promise<PollSummary> {
      const summary: PollSummary = { collected: 0, skipped: 0, evidence: 0 };
      for (const experimentId of options.experimentIds) {
        const watermark = (await repository.watermark(options.trackingUri, experimentId)) ?? 0;
        const from = Math.max(0, watermark - options.lookbackMs);
        let highest = watermark;
        let pageToken: string | undefined;
        const seenTokens = new Set<string>();
        do {
          const page = await client.searchRuns({
            experimentIds: [experimentId],
            filter: `attributes.status = 'FINISHED' AND attributes.start_time >= ${from}`,
            orderBy: ['attributes.start_time ASC'],
            maxResults: PAGE_SIZE,
            pageToken,
          });
          const ids = page.runs.map(runIdOf).filter((id): id is string => id !== undefined);
          const known = await repository.knownRunIds(options.trackingUri, ids);
          for (const run of page.runs) {
            const runId = runIdOf(run);
            // The filter already asks for FINISHED runs; a server that ignores it must not make us collect others.
            if (!runId || known.has(runId) || run.info.status !== 'FINISHED') continue;
            const { outcome, evidence: items } = await collect(run, runId, experimentId);
            if (outcome === 'collected') summary.collected += 1;
            if (outcome === 'skipped') summary.skipped += 1;
            summary.evidence += items;
            highest = Math.max(highest, startTimeOf(run));
          }
          // A server repeating a token, or paging without end, must not keep the poller here.
          if (page.nextPageToken !== undefined && seenTokens.has(page.nextPageToken)) break;
          if (page.nextPageToken !== undefined) seenTokens.add(page.nextPageToken);
          pageToken = page.nextPageToken;
        } while (pageToken && seenTokens.size < MAX_PAGES_PER_RUN);
        if (highest > watermark) await repository.advanceWatermark(options.trackingUri, experimentId, highest);
      }
      if (summary.collected + summary.skipped > 0)
        logger.info({ ...summary, trackingUri: options.trackingUri }, 'MLflow runs collected');
      return summary;
    },
  };
}

/** Runs `poll` now and then every `intervalMs`, one pass at a time; `stop` waits for a pass in flight. */
export function schedulePolling(poll: () => Promise<unknown>, intervalMs: number, logger: Logger) {
  return startPeriodic({
    run: poll,
    intervalMs,
    immediately: true,
    onError: (error) => logger.warn({ err: error }, 'MLflow poll failed; retrying at the next interval'),
  });
}
