import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SigningKeyStore } from '@cabc/key-store';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { InForceScopes } from '../evaluation/in-force-scope.ts';
import { catalogView } from '../catalog/catalog-view.ts';
import type { FindingsRepository } from '../findings/findings.repository.ts';
import type { ObservationsRepository } from '../observations/observations.repository.ts';
import type { ScopesRepository } from '../scopes/scopes.repository.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { createCertificateHistorySource } from './certificate-history.ts';
import { createEvidenceVerifier } from './evidence-verification.ts';
import { createLiveFeed } from './live-feed.ts';
import type { CertificationBodyCredential } from './certification-body-credential.ts';
import { createOscalBundleSource } from './oscal-bundle-source.ts';
import { createPdfRenderer } from './pdf-renderer.ts';
import { createReportData } from './report-data.ts';
import { createReportingRepository } from './reporting.repository.ts';
import type { OscalBundleRouteDeps } from './oscal-bundle.routes.ts';
import type { ReportingRouteDeps } from './reporting.routes.ts';

export { registerReportingRoutes } from './reporting.routes.ts';
export { registerOscalBundleRoutes } from './oscal-bundle.routes.ts';

export interface ReportingDeps {
  db: Kysely<any>;
  logger: Logger;
  keys: SigningKeyStore;
  certificationBodyUrl: string;
  /** This service's own access token at the certification body (never a user's). */
  certificationBody: CertificationBodyCredential;
  toes: ToesRepository;
  scopes: ScopesRepository;
  findings: FindingsRepository;
  evaluations: EvaluationRepository;
  inForce: InForceScopes;
  observations: ObservationsRepository;
  /** With it, the live feed LISTENs for the database's notifications (events within milliseconds, not one interval). */
  databaseUrl?: string | undefined;
  /** How often the live feed reads the posture state while someone listens (default 1 s). */
  liveIntervalMs?: number | undefined;
  chromiumPath?: string | undefined;
  now?: (() => Date) | undefined;
}

/**
 * Reporting (docs/dashboard.md): the read APIs of the dashboard (overview, evidence with verification, result
 * history, metric series downsampled on the server), the live event stream, and the OSCAL (window and bundle) and
 * audit-report exports.
 * `close` ends the live feed and the PDF renderer.
 */
export function createReporting(
  deps: ReportingDeps,
): ReportingRouteDeps & OscalBundleRouteDeps & { close: () => Promise<void> } {
  const repository = createReportingRepository(deps.db);
  const live = createLiveFeed({
    repository,
    logger: deps.logger,
    intervalMs: deps.liveIntervalMs,
    databaseUrl: deps.databaseUrl,
  });
  const pdf = createPdfRenderer({ executablePath: deps.chromiumPath });
  return {
    repository,
    toes: deps.toes,
    evaluations: deps.evaluations,
    inForce: deps.inForce,
    verifier: createEvidenceVerifier({ repository, jwks: () => deps.keys.jwks() as never }),
    live,
    reports: createReportData({
      repository,
      evaluations: deps.evaluations,
      inForce: deps.inForce,
      certificates: createCertificateHistorySource(deps.certificationBodyUrl, deps.certificationBody),
      observations: deps.observations,
    }),
    pdf,
    bundles: createOscalBundleSource({
      repository,
      scopes: deps.scopes,
      findings: deps.findings,
      observations: deps.observations,
      catalog: catalogView,
      certificationBodyUrl: deps.certificationBodyUrl,
      credential: deps.certificationBody,
    }),
    now: deps.now ?? (() => new Date()),
    close: async () => {
      await live.close();
      await pdf.close();
    },
  };
}
