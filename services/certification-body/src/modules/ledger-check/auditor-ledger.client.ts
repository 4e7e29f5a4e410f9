/** The auditor's public ledger API could not answer (network, timeout, 5xx): a later try may; nothing is concluded. */
export class AuditorLedgerUnavailableError extends Error {
  override name = 'AuditorLedgerUnavailableError';
}

/** What the certification body asks the assessment service's public ledger API (docs/ledger.md, "Who may read"). */
export function createAuditorLedgerClient(baseUrl: string, options: { timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, baseUrl).toString();
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new AuditorLedgerUnavailableError(`GET ${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status >= 500) throw new AuditorLedgerUnavailableError(`GET ${url} answered HTTP ${response.status}`);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the refusal detail
    }
    return { status: response.status, body };
  }
  return {
    baseUrl,
    /** Every note verifier key the auditor publishes (the active one and those still verifying). */
    async verifierKeys(): Promise<string[]> {
      const { status, body } = await get('/v1/ledger/verifier-key');
      const keys = (body as { verifierKeys?: unknown; verifierKey?: unknown }) ?? {};
      const all = Array.isArray(keys.verifierKeys) ? keys.verifierKeys : [keys.verifierKey];
      const strings = all.filter((key): key is string => typeof key === 'string');
      if (status !== 200 || strings.length === 0)
        throw new AuditorLedgerUnavailableError(`the auditor publishes no ledger verifier key (HTTP ${status})`);
      return strings;
    },
    /** The consistency proof between two sizes (base64 hashes), or the refusal (4xx) as text. */
    async consistency(first: number, second: number): Promise<{ hashes: string[] } | { refused: string }> {
      const { status, body } = await get(`/v1/ledger/proofs/consistency?first=${first}&second=${second}`);
      const hashes = (body as { hashes?: unknown })?.hashes;
      if (status === 200 && Array.isArray(hashes) && hashes.every((hash) => typeof hash === 'string'))
        return { hashes: hashes as string[] };
      const detail = (body as { detail?: unknown })?.detail;
      return { refused: `HTTP ${status}: ${typeof detail === 'string' ? detail : JSON.stringify(body).slice(0, 300)}` };
    },
  };
}

export type AuditorLedgerClient = ReturnType<typeof createAuditorLedgerClient>;
