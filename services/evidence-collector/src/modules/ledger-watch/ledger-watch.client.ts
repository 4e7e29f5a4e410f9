import type { AnnouncedJwks } from '@cabc/crypto';
/** The assessment service could not be asked (network, timeout, 5xx): nothing is concluded, the next run retries. */
export class LedgerUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerUnreachableError';
  }
}

/** A 4xx answer: the service refused to answer a question about its own log. */
export interface Refusal {
  refused: true;
  status: number;
  detail: string;
}

const isRefusal = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && (value as Refusal).refused === true;
export { isRefusal };

/** The public ledger endpoints of the assessment service (no token needed: docs/ledger.md, "Who may read"). */
export function createLedgerClient(baseUrl: string, options: { timeoutMs?: number; fetch?: typeof fetch } = {}) {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function get(path: string, accept: string): Promise<{ status: number; text: string }> {
    const url = new URL(path, baseUrl).toString();
    let response: Response;
    try {
      response = await doFetch(url, { headers: { accept }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new LedgerUnreachableError(`GET ${url}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (response.status >= 500) throw new LedgerUnreachableError(`GET ${url} answered HTTP ${response.status}`);
    return { status: response.status, text };
  }

  async function json<T>(path: string): Promise<T | Refusal> {
    const { status, text } = await get(path, 'application/json');
    if (status >= 400) {
      let detail = text.slice(0, 500);
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
      } catch {
        // not problem+json: keep the text
      }
      return { refused: true, status, detail };
    }
    return JSON.parse(text) as T;
  }

  return {
    baseUrl,
    async verifierKey(): Promise<string> {
      const answer = await json<{ verifierKey: string }>('/v1/ledger/verifier-key');
      if (isRefusal(answer))
        throw new LedgerUnreachableError(`the verifier key is not published (HTTP ${answer.status}): ${answer.detail}`);
      return answer.verifierKey;
    },
    /** The auditor's published keys with their rotation announcements. */
    async jwks(): Promise<AnnouncedJwks> {
      const answer = await json<AnnouncedJwks>('/.well-known/jwks.json');
      if (isRefusal(answer))
        throw new LedgerUnreachableError(`the key set is not published (HTTP ${answer.status}): ${answer.detail}`);
      return answer;
    },
    /** The latest signed note, or undefined when nothing was signed yet. */
    async latestNote(): Promise<string | undefined> {
      const { status, text } = await get('/v1/ledger/checkpoints/latest', 'text/plain');
      if (status === 404) return undefined;
      if (status >= 400) throw new LedgerUnreachableError(`the latest checkpoint is not available (HTTP ${status})`);
      return text;
    },
    consistency: (first: number, second: number) =>
      json<{ hashes: string[] }>(`/v1/ledger/proofs/consistency?first=${first}&second=${second}`),
    inclusion: (index: number, size: number) =>
      json<{ hashes: string[]; leafHash: string }>(`/v1/ledger/proofs/inclusion?index=${index}&size=${size}`),
    leaf: (index: number) =>
      json<{ leafHash: string; storedLeafHash: string | null; matches: boolean }>(`/v1/ledger/leaves/${index}`),
  };
}

export type LedgerClient = ReturnType<typeof createLedgerClient>;
