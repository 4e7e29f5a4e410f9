import { parseJsonSafely } from '@cabc/adapters';

/** A run as MLflow's REST API returns it (only what the poller reads is typed; the adapter reads the rest). */
const MAX_RESPONSE_CHARACTERS = 32 * 1024 * 1024;

export interface MlflowRun {
  info: {
    run_id?: string;
    run_uuid?: string;
    experiment_id?: string;
    status?: string;
    start_time?: number | string;
    [key: string]: unknown;
  };
  data?: { tags?: { key: string; value: string }[] | Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface MlflowCredentials {
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

export class MlflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MlflowError';
  }
}

/** The tracking server's REST API (2.0), as much of it as pull collection needs. */
export function createMlflowClient(options: {
  trackingUri: string;
  credentials?: MlflowCredentials;
  timeoutMs?: number;
}) {
  const base = options.trackingUri.endsWith('/') ? options.trackingUri : `${options.trackingUri}/`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const { token, username, password } = options.credentials ?? {};
  if (token) headers.authorization = `Bearer ${token}`;
  else if (username && password)
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  return {
    /** One page of `POST /api/2.0/mlflow/runs/search`. */
    async searchRuns(request: {
      experimentIds: string[];
      filter: string;
      orderBy: string[];
      maxResults: number;
      pageToken?: string | undefined;
    }): Promise<{
      runs: MlflowRun[];
      nextPageToken: string | undefined;
    }> {
      const url = new URL('api/2.0/mlflow/runs/search', base);
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          experiment_ids: request.experimentIds,
          filter: request.filter,
          run_view_type: 'ACTIVE_ONLY',
          max_results: request.maxResults,
          order_by: request.orderBy,
          ...(request.pageToken ? { page_token: request.pageToken } : {}),
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      // A tracking server's answer is capped: a runs/search page of 100 runs is far below this.
      const text = await response.text();
      if (text.length > MAX_RESPONSE_CHARACTERS)
        throw new Error(`MLflow answered ${text.length} characters, more than ${MAX_RESPONSE_CHARACTERS}`);
      if (!response.ok) throw new MlflowError(`runs/search answered HTTP ${response.status}: ${text.slice(0, 300)}`);
      // The server is another party: its answer gets the same safe parser as any uploaded file.
      const body = (text.trim() === '' ? {} : parseJsonSafely(text)) as { runs?: unknown; next_page_token?: unknown };
      if (body.runs !== undefined && !Array.isArray(body.runs))
        throw new MlflowError('runs/search: "runs" is not a list');
      const runs = ((body.runs as unknown[] | undefined) ?? []).filter(
        (run): run is MlflowRun =>
          typeof run === 'object' &&
          run !== null &&
          typeof (run as MlflowRun).info === 'object' &&
          (run as MlflowRun).info !== null,
      );
      const nextPageToken =
        typeof body.next_page_token === 'string' && body.next_page_token !== '' ? body.next_page_token : undefined;
      return { runs, nextPageToken };
    },
  };
}

export type MlflowClient = ReturnType<typeof createMlflowClient>;

export function runIdOf(run: MlflowRun): string | undefined {
  const id = run.info.run_id ?? run.info.run_uuid;
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
}

export function startTimeOf(run: MlflowRun): number {
  const value = Number(run.info.start_time);
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

/** A run tag's value; MLflow's REST API gives tags as a list of {key, value}, its Python client as an object. */
export function tagOf(run: MlflowRun, key: string): string | undefined {
  const tags = run.data?.tags;
  if (Array.isArray(tags)) return tags.find((tag) => tag?.key === key)?.value;
  if (tags && typeof tags === 'object') return typeof tags[key] === 'string' ? tags[key] : undefined;
  return undefined;
}
