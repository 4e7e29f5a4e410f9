import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRun {
  info: {
    run_id: string;
    run_uuid: string;
    experiment_id: string;
    status: string;
    start_time: number;
    [key: string]: unknown;
  };
  data: { metrics?: unknown; params?: unknown; tags?: { key: string; value: string }[] };
  [key: string]: unknown;
}

export interface SearchRequest {
  experiment_ids: string[];
  filter: string;
  max_results: number;
  order_by: string[];
  page_token?: string;
  authorization: string | undefined;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A stand-in MLflow tracking server (node:http) answering `POST /api/2.0/mlflow/runs/search` in MLflow's shape from
 * the runs it holds. It applies the filter the poller sends (status and start-time watermark), sorts by start time
 * and pages `pageSize` runs at a time with `next_page_token`, as the real server does.
 */
export async function startFakeMlflow(options: { runs: FakeRun[]; pageSize?: number; token?: string }) {
  const requests: SearchRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/api/2.0/mlflow/runs/search') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":"ENDPOINT_NOT_FOUND"}');
      return;
    }
    if (options.token && request.headers.authorization !== `Bearer ${options.token}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error_code":"UNAUTHENTICATED"}');
      return;
    }
    const search = JSON.parse(await body(request)) as SearchRequest;
    requests.push({ ...search, authorization: request.headers.authorization });
    const status = /attributes\.status = '([A-Z]+)'/.exec(search.filter)?.[1];
    const from = Number(/attributes\.start_time >= (\d+)/.exec(search.filter)?.[1] ?? 0);
    const matching = options.runs
      .filter((run) => search.experiment_ids.includes(run.info.experiment_id))
      .filter((run) => (status ? run.info.status === status : true))
      .filter((run) => run.info.start_time >= from)
      .sort((a, b) => a.info.start_time - b.info.start_time);
    const offset = Number(search.page_token ?? 0);
    const size = Math.min(options.pageSize ?? 1000, search.max_results);
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? String(offset + size) : undefined;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ runs: page, ...(next ? { next_page_token: next } : {}) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runs: options.runs,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
