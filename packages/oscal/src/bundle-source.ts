import { OscalBundleInputError } from './bundle-error.ts';
import type { ApprovedScopeInput, CertificateInput } from './bundle-input.ts';

/**
 * What every reader of the bundle's input decides the same way, whether it reads through the APIs (the CLI) or the
 * assessment service's repositories (its export route): which scope version the bundle is about, and the
 * certificate of that version as the certification body shows it.
 */

/** A scope version as the scopes API answers it (and the repository holds it, dates as strings). */
export interface ScopeVersionSource {
  version: number;
  state: string;
  digest: string;
  document: ApprovedScopeInput['document'];
  decidedBy: string | null;
  decidedAt: string | null;
}

/**
 * The approved (or since superseded) scope version asked for, by default the one in force. Refused, naming the
 * field `scopeVersion`, when there is none: an assessment plan needs an approved scope.
 */
export function chooseApprovedScope(
  toe: string,
  scopes: readonly ScopeVersionSource[],
  version?: number | undefined,
): ApprovedScopeInput {
  const approved = scopes.filter((scope) => scope.state === 'approved' || scope.state === 'superseded');
  const chosen =
    version !== undefined
      ? approved.find((scope) => scope.version === version)
      : approved.filter((scope) => scope.state === 'approved').at(-1);
  if (!chosen?.decidedAt || !chosen.decidedBy) {
    throw new OscalBundleInputError(
      'scopeVersion',
      version !== undefined
        ? `${toe} has no approved scope version ${version} ` +
            `(approved: ${approved.map((scope) => scope.version).join(', ') || 'none'})`
        : `${toe} has no approved scope version: an assessment plan needs one`,
    );
  }
  return {
    version: chosen.version,
    digest: chosen.digest,
    approvedAt: chosen.decidedAt,
    approvedBy: chosen.decidedBy,
    document: chosen.document,
  };
}

interface CertificationView {
  scopeVersion: number;
  certificateId: string | null;
  lifecycleState: string;
  nextDeadline: string | null;
}

type CertificateView = Omit<CertificateInput, 'suspendedAt' | 'graceEndsAt'>;

/** A GET at the certification body answering its JSON (or throwing when it refuses). */
export type CertificationBodyGet = <T>(path: string) => Promise<T>;

/**
 * The certificate of the scope version, read at the certification body (`/v1/certifications?toe=` then
 * `/v1/certificates/:id`); null when the version has none. While suspended, when the suspension began and when its
 * grace period ends.
 */
export async function readCertificateInput(
  get: CertificationBodyGet,
  toe: string,
  scopeVersion: number,
): Promise<CertificateInput | null> {
  const certifications = await get<{ items: CertificationView[] }>(
    `/v1/certifications?toe=${encodeURIComponent(toe)}&limit=100`,
  );
  const certification = certifications.items.find(
    (entry) => entry.scopeVersion === scopeVersion && entry.certificateId,
  );
  if (!certification?.certificateId) return null;
  const certificate = await get<CertificateView>(`/v1/certificates/${encodeURIComponent(certification.certificateId)}`);
  const history = certificate.history.map((entry) => ({
    from: entry.from,
    to: entry.to,
    reason: entry.reason,
    at: entry.at,
  }));
  const suspended = certificate.state === 'suspended';
  return {
    id: certificate.id,
    state: certificate.state,
    reason: certificate.reason,
    issuedAt: certificate.issuedAt,
    expiresAt: certificate.expiresAt,
    revokedAt: certificate.revokedAt,
    scopeVersion: certificate.scopeVersion,
    suspendedAt: suspended ? (history.filter((entry) => entry.to === 'suspended').at(-1)?.at ?? null) : null,
    // While suspended, the certification's next deadline is the end of the grace period (or expiry, if sooner).
    graceEndsAt: suspended ? certification.nextDeadline : null,
    history,
  };
}
