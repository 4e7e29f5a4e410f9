import { createRemoteJWKSet, jwtVerify } from 'jose';
import { STATUS_LIST_TYP, statusListClaimsSchema } from '@cabc/contracts';
import type { CertificationBodyCredential } from './certification-body-credential.ts';

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
  /** certificates: the certification body's full records; status-list: its public signed status list (current status
   * only, for callers the certification body does not show certificates to); unavailable: neither answered. */
  source: 'certificates' | 'status-list' | 'unavailable';
  note: string | null;
  certificates: CertificateEntry[];
}

const TIMEOUT_MS = 4_000;

/**
 * What the certification body says about a ToE's certificates, asked with this service's own credential for the
 * caller's organization (never the caller's token: docs/authorization.md); when it refuses, its public signed status
 * list of the organization (verified against its JWKS).
 */
export function createCertificateHistorySource(certificationBodyUrl: string, credential: CertificationBodyCredential) {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', certificationBodyUrl), {
    cooldownDuration: 5_000,
    cacheMaxAge: 600_000,
  });
  const get = async (path: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, certificationBodyUrl), { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });

  async function fromCertificates(toe: string, org: string): Promise<CertificateEntry[] | { refused: number }> {
    const auth = { authorization: `Bearer ${await credential(org)}` };
    const list = await get(`/v1/certificates?toe=${encodeURIComponent(toe)}&limit=20`, auth);
    if (!list.ok) return { refused: list.status };
    const { items } = (await list.json()) as { items: any[] };
    const entries: CertificateEntry[] = [];
    for (const item of items.slice(0, 10)) {
      const detail = await get(`/v1/certificates/${encodeURIComponent(item.id)}`, auth);
      const body = detail.ok ? ((await detail.json()) as any) : item;
      entries.push({
        id: body.id,
        state: body.state,
        status: body.status ?? body.state,
        reason: body.reason ?? null,
        issuedAt: body.issuedAt ?? null,
        expiresAt: body.expiresAt ?? null,
        revokedAt: body.revokedAt ?? null,
        scopeVersion: body.scopeVersion ?? null,
        history: (body.history ?? []).map((entry: any) => ({
          from: entry.from,
          to: entry.to,
          reason: entry.reason,
          at: entry.at,
        })),
      });
    }
    return entries;
  }

  async function fromStatusList(toe: string, org: string): Promise<CertificateEntry[] | undefined> {
    const answer = await get(`/v1/status-lists/${encodeURIComponent(org)}`, { accept: 'application/jwt' });
    if (!answer.ok) return undefined;
    const { payload } = await jwtVerify((await answer.text()).trim(), jwks, {
      algorithms: ['EdDSA'],
      typ: STATUS_LIST_TYP,
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
        const full = await fromCertificates(toe, org);
        if (Array.isArray(full)) return { source: 'certificates', note: null, certificates: full };
        const listed = await fromStatusList(toe, org);
        if (listed) {
          return {
            source: 'status-list',
            note: `the certification body did not show this service the certificate histories (answered ${full.refused}); current status from its signed public status list`,
            certificates: listed,
          };
        }
        return {
          source: 'unavailable',
          note: `the certification body answered ${full.refused} and has no public status list`,
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
