/** The dashboard's one way to the services: same-origin `/api/<service>/…`, with the signed-in bearer token. */

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.status = problem.status;
    this.problem = problem;
  }
}

let currentToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

export function setApiToken(token: string | null, unauthorized: () => void): void {
  currentToken = token;
  onUnauthorized = unauthorized;
}

export const authHeader = (): Record<string, string> =>
  currentToken ? { authorization: `Bearer ${currentToken}` } : {};

export type Service = 'assessment' | 'certification' | 'collector';

export async function request(
  path: string,
  init: { method?: string; body?: unknown; service?: Service; raw?: boolean } = {},
): Promise<Response> {
  const service = init.service ?? 'assessment';
  const url = path.startsWith('/api/') ? path : `/api/${service}${path}`;
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...authHeader(), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (response.status === 401) onUnauthorized();
  if (!response.ok) {
    let problem: Problem = { status: response.status };
    try {
      problem = { ...(await response.json()), status: response.status };
    } catch {
      // not JSON
    }
    throw new ApiError(problem);
  }
  return response;
}

export async function api<T = any>(
  path: string,
  init: { method?: string; body?: unknown; service?: Service } = {},
): Promise<T> {
  const response = await request(path, init);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Fetches with the token and hands the file to the browser (a plain link cannot carry the bearer token). */
export async function download(
  path: string,
  fallbackName: string,
  options: { service?: Service; open?: boolean } = {},
): Promise<void> {
  const response = await request(path, { service: options.service ?? 'assessment' });
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  if (options.open) link.target = '_blank';
  else link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
