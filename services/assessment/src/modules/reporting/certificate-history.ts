import { createRemoteJWKSet, jwtVerify } from 'jose';
import { STATUS_LIST_TYP, statusListClaimsSchema } from '@cabc/contracts';

export interface CertificateEntry {
  id: string;
  state: string;
  status: string;
  reason: string | null;
  issuedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  scopeVersion: number | null;
  history: { from: string; to: string; reason: string; at: string }[];
}

export interface CertificateHistory {
  /** status-list: the certification body's public signed status list (verified against its JWKS); unavailable: it did
   * not answer. The assessment service never presents a user's token to the certification body. */
  source: 'status-list' | 'unavailable';
  note: string | null;
  certificates: CertificateEntry[];
}

const TIMEOUT_MS = 4_000;

/**
 * What the certification body says about a ToE's certificates, from its public signed status list of the organization
 * (verified against its JWKS): each certificate's current status, reason and since when. A user's bearer token is for
 * this service only and is never forwarded (docs/authorization.md); the full history is the certification body's to
 * show to the auditee at its own API.
 */
export function createCertificateHistorySource(certificationBodyUrl: string) {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', certificationBodyUrl), {
    cooldownDuration: 5_000,
    cacheMaxAge: 600_000,
  });

  async function fromStatusList(toe: string, org: string): Promise<CertificateEntry[] | { refused: number }> {
    const answer = await fetch(new URL(`/v1/status-lists/${encodeURIComponent(org)}`, certificationBodyUrl), {
      headers: { accept: 'application/jwt' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!answer.ok) return { refused: answer.status };
    const { payload } = await jwtVerify((await answer.text()).trim(), jwks, {
      algorithms: ['EdDSA'],
      typ: STATUS_LIST_TYP,
      subject: org,
    });
    const { certificates } = statusListClaimsSchema.parse(payload);
    return certificates
      .filter((entry) => entry.toe === toe)
      .map((entry) => ({
        id: entry.id,
        state: entry.status,
        status: entry.status,
        reason: entry.reason ?? null,
        issuedAt: null,
        expiresAt: entry.expiresAt ?? null,
        revokedAt: entry.revokedAt ?? null,
        scopeVersion: entry.scopeVersion ?? null,
        history: entry.since ? [{ from: '', to: entry.status, reason: entry.reason ?? '', at: entry.since }] : [],
      }));
  }

  return {
    async of(toe: string, org: string): Promise<CertificateHistory> {
      try {
        const listed = await fromStatusList(toe, org);
        if (Array.isArray(listed)) {
          return {
            source: 'status-list',
            note: "current status from the certification body's signed public status list",
            certificates: listed,
          };
        }
        return {
          source: 'unavailable',
          note: `the certification body answered ${listed.refused} for its status list`,
          certificates: [],
        };
      } catch (error) {
        return {
          source: 'unavailable',
          note: `the certification body could not be reached: ${error instanceof Error ? error.message : String(error)}`,
          certificates: [],
        };
      }
    },
  };
}

export type CertificateHistorySource = ReturnType<typeof createCertificateHistorySource>;
