import {
  STATUS_LIST_TYP,
  STATUS_TYP,
  type PublicStatus,
  type SignedStatusClaims,
  type StatusAnswer,
  type StatusListClaims,
  type StatusListEntry,
} from '@cabc/contracts';
import type { SigningKeyStore } from '@cabc/key-store';
import { sha256Hex, signJwt } from '@cabc/crypto';
import { certificateStatusAt, reasonName } from '../../domain/index.ts';
import type { CertificateRecord, CertificationRepository } from '../certifications/certification.repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LIST_ENTRIES = 10_000;

const earliest = (...dates: (Date | null | undefined)[]) =>
  dates
    .filter((date): date is Date => date instanceof Date)
    .reduce<Date | null>((min, date) => (min === null || date < min ? date : min), null);

/** OCSP-like answers about certificates, for anyone: one certificate, or every certificate of an organization. */
export function createStatusService(deps: {
  certifications: CertificationRepository;
  keys: SigningKeyStore;
  issuer: string;
  maxAgeMs: number;
  now: () => Date;
}) {
  /** When a status about a live certificate must be refreshed: the freshness horizon, or an earlier known deadline. */
  function nextUpdateOf(
    certificate: CertificateRecord,
    status: PublicStatus,
    at: Date,
    certificationDeadline: Date | null,
  ): Date | null {
    if (status !== 'good' && status !== 'suspended') return null;
    const horizon = new Date(at.getTime() + deps.maxAgeMs);
    const deadline = status === 'suspended' ? certificationDeadline : null;
    return earliest(horizon, certificate.expiresAt, deadline);
  }

  function entryOf(certificate: CertificateRecord, at: Date): StatusListEntry {
    const view = certificateStatusAt(certificate, at);
    return {
      id: certificate.id,
      toe: certificate.toe,
      scopeVersion: certificate.scopeVersion,
      status: view.status,
      reasonCode: view.reasonCode,
      reason: reasonName(view.reasonCode),
      since: view.since.toISOString(),
      expiresAt: certificate.expiresAt.toISOString(),
      revokedAt: certificate.revokedAt?.toISOString() ?? null,
    };
  }

  return {
    /** Never fails for a bad id: an unknown or malformed id is status `unknown`. */
    async statusOf(requestedId: string): Promise<StatusAnswer> {
      const at = deps.now();
      const thisUpdate = at.toISOString();
      const certificateId = requestedId.slice(0, 256);
      const certificate = UUID.test(requestedId)
        ? await deps.certifications.certificate(requestedId.toLowerCase())
        : undefined;
      if (!certificate) {
        return {
          certificateId,
          certificateDigest: null,
          status: 'unknown',
          thisUpdate,
          nextUpdate: new Date(at.getTime() + deps.maxAgeMs).toISOString(),
          revokedAt: null,
          reasonCode: null,
          reason: null,
          artifacts: null,
        };
      }
      const view = certificateStatusAt(certificate, at);
      const certification = await deps.certifications.certification(certificate.certificationId);
      const nextUpdate = nextUpdateOf(certificate, view.status, at, certification?.nextDeadline ?? null);
      return {
        certificateId: certificate.id,
        certificateDigest: sha256Hex(certificate.token),
        status: view.status,
        thisUpdate,
        nextUpdate: nextUpdate?.toISOString() ?? null,
        revokedAt: certificate.revokedAt?.toISOString() ?? null,
        reasonCode: view.reasonCode,
        reason: reasonName(view.reasonCode),
        artifacts: certification?.artifacts ?? { models: [], datasets: [] },
      };
    },

    /** The same answer as a JWT signed by the certification body (typ cabc-status+jwt): bound to id and digest. */
    async signedStatus(answer: StatusAnswer): Promise<string> {
      const key = await deps.keys.active();
      const iat = Math.floor(Date.parse(answer.thisUpdate) / 1000);
      return signJwt(
        {
          iss: deps.issuer,
          sub: answer.certificateId,
          iat,
          ...(answer.nextUpdate ? { exp: Math.ceil(Date.parse(answer.nextUpdate) / 1000) } : {}),
          ...answer,
        } satisfies SignedStatusClaims,
        key,
        { typ: STATUS_TYP },
      );
    },

    /** Every certificate of `org` with its status, as a JWT signed by the certification body (typ cabc-status-list+jwt). */
    async statusList(org: string): Promise<{ token: string; entries: number; thisUpdate: Date; nextUpdate: Date }> {
      const at = deps.now();
      // One more than the list holds tells whether it is complete; a verifier must not read a cut list as whole.
      const found = await deps.certifications.certificatesOfOrg(org, MAX_LIST_ENTRIES + 1);
      const truncated = found.length > MAX_LIST_ENTRIES;
      const certificates = truncated ? found.slice(0, MAX_LIST_ENTRIES) : found;
      const entries = certificates.map((certificate) => entryOf(certificate, at));
      const liveExpiries = certificates
        .filter((_, index) => entries[index]!.status === 'good' || entries[index]!.status === 'suspended')
        .map((c) => c.expiresAt);
      const nextUpdate = earliest(new Date(at.getTime() + deps.maxAgeMs), ...liveExpiries)!;
      const key = await deps.keys.active();
      const token = await signJwt(
        {
          iss: deps.issuer,
          sub: org,
          iat: Math.floor(at.getTime() / 1000),
          exp: Math.ceil(nextUpdate.getTime() / 1000),
          thisUpdate: at.toISOString(),
          nextUpdate: nextUpdate.toISOString(),
          truncated,
          certificates: entries,
        } satisfies StatusListClaims,
        key,
        { typ: STATUS_LIST_TYP },
      );
      return { token, entries: entries.length, thisUpdate: at, nextUpdate };
    },
  };
}

export type StatusService = ReturnType<typeof createStatusService>;
