import { assessmentPlan, AP_FILE } from './assessment-plan.ts';
import { assessmentResults, AR_FILE } from './assessment-results.ts';
import { OscalBundleInputError } from './bundle-error.ts';
import type { OscalBundleInput } from './bundle-input.ts';
import { builtInCatalog, builtInProfile, CATALOG_FILE, PROFILE_FILE } from './built-in-catalog.ts';
import { BUNDLE_LIMITS, evaluationWindows } from './evaluation-windows.ts';
import { OSCAL_VERSION, sha256Hex } from './oscal-text.ts';
import { planOfAction, POAM_FILE } from './plan-of-action.ts';
import { durationMs } from './rule-text.ts';
import { SCOPE_CATALOG_FILE, SCOPE_PROFILE_FILE, scopeCatalog, scopeProfile } from './scope-catalog.ts';
import { SSP_FILE, systemSecurityPlan } from './system-security-plan.ts';
import { createZip } from './zip.ts';

export type OscalModel =
  | 'catalog'
  | 'profile'
  | 'system-security-plan'
  | 'assessment-plan'
  | 'assessment-results'
  | 'plan-of-action-and-milestones';

export interface OscalDocument {
  file: string;
  model: OscalModel;
  /** What the document is, in one line (the manifest and docs/oscal.md say the same). */
  role: string;
  json: Record<string, unknown>;
}

export interface OscalBundle {
  documents: OscalDocument[];
  /** Not an OSCAL document: what the bundle holds, with each file's SHA-256. */
  manifest: BundleManifest;
  /** The bundle's timestamp: the newest change in its data. */
  lastModified: string;
}

export interface BundleManifest {
  generator: string;
  oscalVersion: string;
  toe: string;
  scopeVersion: number;
  period: { from: string; to: string };
  windowLength: string;
  certificate: { id: string; state: string } | null;
  documents: { file: string; model: OscalModel; role: string; uuid: string; sha256: string; bytes: number }[];
  notes: string[];
}

export const MANIFEST_FILE = 'manifest.json';
export const DEFAULT_WINDOW = 'P1D';

const instant = (field: string, value: string) => {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new OscalBundleInputError(field, `${field} is not a date-time: ${JSON.stringify(value)}`);
  return new Date(time);
};

/** The document's text as it goes into the bundle: two-space JSON and a final newline. */
export const documentText = (document: OscalDocument): string => `${JSON.stringify(document.json, null, 2)}\n`;

/**
 * The consistent set of OSCAL 1.1.2 documents for a ToE and its approved scope version. Their references resolve
 * among themselves: the assessment results import the assessment plan, which imports the SSP, which imports the
 * scope profile, which imports the scope catalog; the POA&M imports the SSP; the built-in profile imports the built-in
 * catalog. UUIDs are derived from CABC's ids (version 5), so exporting the same state again gives the same bytes.
 */
export function buildOscalBundle(input: OscalBundleInput): OscalBundle {
  const { toe, scope } = input;
  if (scope.document.requirements.length === 0) {
    throw new OscalBundleInputError('scope.document.requirements', 'the approved scope has no requirement');
  }
  const windowLength = input.windowLength ?? DEFAULT_WINDOW;
  const windowMs = durationMs(windowLength);
  if (windowMs === undefined || windowMs < BUNDLE_LIMITS.minWindowMs) {
    throw new OscalBundleInputError(
      'windowLength',
      `window length ${windowLength} is not a duration of at least 1 hour (e.g. P1D, PT6H)`,
    );
  }
  const from = instant('period.from', input.period?.from ?? scope.approvedAt);
  const to = instant('period.to', input.period?.to ?? input.generatedAt);
  if (from.getTime() >= to.getTime()) {
    throw new OscalBundleInputError(
      'period.from',
      `the period starts (${from.toISOString()}) at or after its end (${to.toISOString()})`,
    );
  }
  const windows = evaluationWindows(from, to, windowMs).length;
  if (windows > BUNDLE_LIMITS.maxWindows) {
    throw new OscalBundleInputError(
      'windowLength',
      `the period holds ${windows} windows of ${windowLength}; the limit is ${BUNDLE_LIMITS.maxWindows}: ` +
        'use longer windows or a shorter period',
    );
  }
  const within = (at: string | Date) => {
    const time = new Date(at).getTime();
    return time >= from.getTime() && time < to.getTime();
  };
  const evidence = input.evidence.filter((entry) => within(entry.receivedAt));
  if (evidence.length > BUNDLE_LIMITS.maxEvidence) {
    throw new OscalBundleInputError(
      'period',
      `the period holds ${evidence.length} evidence; one bundle lists at most ${BUNDLE_LIMITS.maxEvidence}: ` +
        'export a shorter period',
    );
  }
  // Results before the approval belong to an earlier scope version, even where a requirement kept its id.
  const approvedAt = Date.parse(scope.approvedAt);
  const results = input.results.filter((result) => {
    const at = Date.parse(result.evaluatedAt);
    return at >= approvedAt && at < to.getTime();
  });
  const findings = input.findings.filter((finding) => within(finding.validFrom));
  const observations = (input.observations ?? []).filter((observation) => within(observation.createdAt));
  const certificate = input.certificate && input.certificate.scopeVersion === scope.version ? input.certificate : null;
  const stamps = [
    scope.approvedAt,
    ...results.filter((result) => within(result.evaluatedAt)).map((result) => result.evaluatedAt),
    ...evidence.map((entry) => new Date(entry.receivedAt).toISOString()),
    ...findings.map((finding) => finding.validFrom),
    ...observations.map((observation) => observation.createdAt),
    ...(certificate?.history ?? []).map((entry) => entry.at).filter((at) => within(at)),
  ].map((at) => new Date(at).getTime());
  const lastModified = new Date(Math.max(...stamps)).toISOString();
  const version = `${scope.version}+${lastModified.replace(/[-:.]/g, '')}`;

  const catalog = builtInCatalog(input.catalog, lastModified);
  const builtInIds = new Set(collectIds(catalog));
  const ar = assessmentResults({
    toe,
    scope,
    results,
    evidence,
    findings,
    observations,
    certificate,
    period: { from, to },
    windowMs,
    assessmentUrl: input.assessmentUrl.replace(/\/+$/, ''),
    lastModified,
    version,
  });
  const documents: OscalDocument[] = [
    { file: CATALOG_FILE, model: 'catalog', role: 'the built-in requirement catalog', json: catalog },
    {
      file: PROFILE_FILE,
      model: 'profile',
      role: 'baseline of every built-in template',
      json: builtInProfile(input.catalog, lastModified),
    },
    {
      file: SCOPE_CATALOG_FILE,
      model: 'catalog',
      role: 'the approved scope: its requirements as controls',
      json: scopeCatalog(toe, scope, builtInIds),
    },
    {
      file: SCOPE_PROFILE_FILE,
      model: 'profile',
      role: 'the ToE’s baseline: every approved requirement',
      json: scopeProfile(toe, scope),
    },
    {
      file: SSP_FILE,
      model: 'system-security-plan',
      role: 'the ToE as the system, its artifacts as components, requirements implemented',
      json: systemSecurityPlan({ toe, scope, certificate, lastModified, version }),
    },
    {
      file: AP_FILE,
      model: 'assessment-plan',
      role: 'requirements as controls, rules as activities, evaluation as tasks',
      json: assessmentPlan({ toe, scope, lastModified, version }),
    },
    { file: AR_FILE, model: 'assessment-results', role: 'one result per evaluation window', json: ar.document },
  ];
  const notes: string[] = [];
  if (certificate?.state === 'suspended') {
    documents.push({
      file: POAM_FILE,
      model: 'plan-of-action-and-milestones',
      role: 'the open findings while the certificate is suspended',
      json: planOfAction({
        toe,
        scope,
        certificate,
        open: ar.openAtEnd,
        observations: ar.observations,
        resources: ar.resources,
        lastModified,
        version,
      }),
    });
  } else {
    notes.push(
      certificate
        ? `No POA&M: the certificate is ${certificate.state}, not suspended.`
        : 'No POA&M: the approved scope version has no certificate.',
    );
  }
  const manifest: BundleManifest = {
    generator: 'CABC (@cabc/oscal)',
    oscalVersion: OSCAL_VERSION,
    toe: toe.id,
    scopeVersion: scope.version,
    period: { from: from.toISOString(), to: to.toISOString() },
    windowLength,
    certificate: certificate ? { id: certificate.id, state: certificate.state } : null,
    documents: documents.map((document) => {
      const content = documentText(document);
      const root = Object.values(document.json)[0] as { uuid: string };
      return {
        file: document.file,
        model: document.model,
        role: document.role,
        uuid: root.uuid,
        sha256: sha256Hex(content),
        bytes: Buffer.byteLength(content),
      };
    }),
    notes,
  };
  return { documents, manifest, lastModified };
}

/** Every control id of a catalog, nested ones included. */
function collectIds(value: unknown, ids: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectIds(item, ids);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.controls)) {
      for (const control of record.controls as Record<string, unknown>[]) {
        if (typeof control.id === 'string') ids.push(control.id);
      }
    }
    for (const member of Object.values(record)) collectIds(member, ids);
  }
  return ids;
}

/** The bundle as a zip: the documents under their names and the manifest, all dated the bundle's lastModified. */
export function bundleZip(bundle: OscalBundle): Buffer {
  return createZip(
    [
      ...bundle.documents.map((document) => ({ name: document.file, content: documentText(document) })),
      { name: MANIFEST_FILE, content: `${JSON.stringify(bundle.manifest, null, 2)}\n` },
    ],
    new Date(bundle.lastModified),
  );
}
