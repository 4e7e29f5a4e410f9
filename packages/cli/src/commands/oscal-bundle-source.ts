import {
  type AnomalyObservationInput,
  chooseApprovedScope,
  readCertificateInput,
  type CatalogInput,
  type CertificateInput,
  type EvidenceInput,
  type ManualFindingInput,
  type OscalBundleInput,
  type ResultInput,
  type ScopeVersionSource,
  type ToeInput,
} from '@cabc/oscal';

export interface BundleSourceOptions {
  toe: string;
  assessmentUrl: string;
  certificationBodyUrl?: string | undefined;
  token: string;
  /** The certification body takes only tokens of its own audience. */
  certificationBodyToken?: string | undefined;
  scopeVersion?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  window?: string | undefined;
  timeoutMs: number;
  now: Date;
}

/** An API answer the export cannot go on without, with the problem+json detail when there is one. */
export class ApiAnswerError extends Error {}

function client(token: string, timeoutMs: number) {
  return async function get<T>(url: string): Promise<T> {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        const problem = JSON.parse(text) as { title?: string; detail?: string };
        detail = problem.detail ?? problem.title ?? detail;
      } catch {
        // not problem+json: keep the text
      }
      throw new ApiAnswerError(`GET ${url} answered ${response.status}: ${detail}`);
    }
    return JSON.parse(text) as T;
  };
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Everything the bundle is built from, read through the platform's existing APIs with an auditor's bearer token
 * for the assessment service (the ToE, scopes, results, evidence, findings and catalog of its organization) and one
 * for the certification body (its certificates): GET /v1/toes/:id, /scopes, /results, /evidence, /findings, /observations, /v1/catalog; at the
 * certification body /v1/certifications?toe= and /v1/certificates/:id.
 */
export async function fetchBundleInput(
  options: BundleSourceOptions,
): Promise<{ input: OscalBundleInput; notes: string[] }> {
  const get = client(options.token, options.timeoutMs);
  const base = options.assessmentUrl.replace(/\/+$/, '');
  const toePath = `${base}/v1/toes/${encodeURIComponent(options.toe)}`;
  const notes: string[] = [];

  // The ToE first: when the token may not read it, that is the answer to report (not whichever parallel read lost).
  const toe = await get<ToeInput>(toePath);
  const [scopes, findings, observations, catalog] = await Promise.all([
    get<{ items: ScopeVersionSource[] }>(`${toePath}/scopes`),
    get<{ items: ManualFindingInput[] }>(`${toePath}/findings`),
    get<{ items: AnomalyObservationInput[] }>(`${toePath}/observations`),
    get<CatalogInput>(`${base}/v1/catalog`),
  ]);
  const scope = chooseApprovedScope(options.toe, scopes.items, options.scopeVersion);
  const from = Date.parse(options.from ?? scope.approvedAt);
  const approvedAt = Date.parse(scope.approvedAt);
  const requirementIds = new Set(scope.document.requirements.map((requirement) => requirement.id));

  // Newest first: results until each requirement has one from before the period (the status in force when it began).
  const results: ResultInput[] = [];
  const before = new Set<string>();
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page: Page<ResultInput> = await get(
      `${toePath}/results?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    results.push(...page.items);
    for (const item of page.items) if (Date.parse(item.evaluatedAt) < from) before.add(item.requirementId);
    const oldest = page.items.at(-1);
    const reached = oldest && Date.parse(oldest.evaluatedAt) < from;
    // Older results than the approval are of an earlier scope version: the bundle does not use them.
    const done =
      oldest &&
      (Date.parse(oldest.evaluatedAt) < approvedAt || (reached && [...requirementIds].every((id) => before.has(id))));
    cursor = done ? null : page.nextCursor;
  }
  const evidence: EvidenceInput[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page: Page<EvidenceInput> = await get(
      `${toePath}/evidence?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    evidence.push(...page.items);
    const oldest = page.items.at(-1);
    cursor = oldest && Date.parse(String(oldest.receivedAt)) < from ? null : page.nextCursor;
  }

  let certificate: CertificateInput | null = null;
  if (options.certificationBodyUrl && !options.certificationBodyToken) {
    notes.push('no --certification-body-token: the bundle says nothing of the certificate (and has no POA&M)');
  } else if (options.certificationBodyUrl && options.certificationBodyToken) {
    const certificationBody = options.certificationBodyUrl.replace(/\/+$/, '');
    const getAtCertificationBody = client(options.certificationBodyToken, options.timeoutMs);
    certificate = await readCertificateInput(
      <T>(path: string) => getAtCertificationBody<T>(`${certificationBody}${path}`),
      options.toe,
      scope.version,
    );
  } else {
    notes.push('no --certification-body-url: the bundle says nothing of the certificate (and has no POA&M)');
  }
  return {
    input: {
      toe,
      scope,
      results,
      evidence,
      findings: findings.items,
      observations: observations.items,
      certificate,
      catalog,
      assessmentUrl: base,
      generatedAt: options.now.toISOString(),
      period: { from: options.from, to: options.to },
      windowLength: options.window,
    },
    notes,
  };
}
