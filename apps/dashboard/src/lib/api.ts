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

export type Service = 'assessment' | 'certification' | 'collector';

/** The audience of each service's tokens; the dashboard's server says which (GET /api/config). */
let audiences: Record<Service, string> = {
  assessment: 'cabc-assessment',
  certification: 'cabc-certification-body',
  collector: 'cabc-collector',
};
let tokens: string[] = [];
let onUnauthorized: () => void = () => undefined;

/** The `aud` of a token, read without verifying it (the services verify; this only picks which token goes where). */
function audienceOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replaceAll('-', '+').replaceAll('_', '/'))) as {
      aud?: unknown;
    };
    return typeof payload.aud === 'string' ? payload.aud : undefined;
  } catch {
    return undefined;
  }
}

/** The signed-in tokens: one or more (separated by white space), each for the service its audience names. */
export function setApiToken(text: string | null, unauthorized: () => void): void {
  tokens = text ? text.split(/\s+/).filter((token) => token.length > 0) : [];
  onUnauthorized = unauthorized;
}

export function setApiAudiences(next: Partial<Record<Service, string>>): void {
  audiences = { ...audiences, ...next };
}

/** The token of one service: the one whose audience names it (a lone token of no known audience goes to the assessment). */
export function tokenFor(service: Service): string | undefined {
  const own = tokens.find((token) => audienceOf(token) === audiences[service]);
  if (own) return own;
  const known = new Set(Object.values(audiences));
  return service === 'assessment' ? tokens.find((token) => !known.has(audienceOf(token) ?? '')) : undefined;
}

export const authHeader = (service: Service = 'assessment'): Record<string, string> => {
  const token = tokenFor(service);
  return token ? { authorization: `Bearer ${token}` } : {};
};

export async function request(
  path: string,
  init: { method?: string; body?: unknown; service?: Service; raw?: boolean } = {},
): Promise<Response> {
  const service = init.service ?? 'assessment';
  const url = path.startsWith('/api/') ? path : `/api/${service}${path}`;
  const headers = authHeader(service);
  if (!headers.authorization && service !== 'assessment') {
    // Signed in without a token for this service: say so, without signing out of the others.
    throw new ApiError({
      status: 401,
      title: 'No token for this service',
      detail: `sign in with a token for the ${service} service too (./scripts/cabc token --service all)`,
    });
  }
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (response.status === 401 && service === 'assessment') onUnauthorized();
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
