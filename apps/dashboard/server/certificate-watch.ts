import { createRemoteJWKSet, jwtVerify } from 'jose';
import { STATUS_LIST_TYP, statusListClaimsSchema } from '@cabc/contracts';

export interface CertificateStatus {
  id: string;
  toe: string;
  scopeVersion: number | null;
  status: string;
  reasonCode: number | null;
  reason: string | null;
  since: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CertificateChange extends CertificateStatus {
  previousStatus: string | null;
}

type Listener = (change: CertificateChange) => void;

interface OrgWatch {
  listeners: Set<Listener>;
  entries: Map<string, CertificateStatus> | undefined;
  fetchedAt: number;
  timer: NodeJS.Timeout | undefined;
  pausedUntil: number;
  inflight: Promise<Map<string, CertificateStatus>> | undefined;
}

/**
 * Certificate states of organizations, from the certification body's public status list (`GET /v1/status-lists/:org`,
 * a JWT signed by the certification body, verified here against its JWKS). It works for every role, the auditor's
 * included, and costs one request per watched organization per interval however many pages are open. Changes are
 * pushed to listeners; the certification body offers no event stream to consume instead (docs/dashboard.md).
 */
export function createCertificateWatch(options: {
  certificationBodyUrl: string;
  intervalMs?: number;
  log?: (message: string) => void;
}) {
  const intervalMs = options.intervalMs ?? 2_000;
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', options.certificationBodyUrl), {
    cooldownDuration: 2_000,
    cacheMaxAge: 600_000,
  });
  const orgs = new Map<string, OrgWatch>();

  const watchOf = (org: string): OrgWatch => {
    let watch = orgs.get(org);
    if (!watch) {
      watch = {
        listeners: new Set(),
        entries: undefined,
        fetchedAt: 0,
        timer: undefined,
        pausedUntil: 0,
        inflight: undefined,
      };
      orgs.set(org, watch);
    }
    return watch;
  };

  async function fetchList(org: string, watch: OrgWatch): Promise<Map<string, CertificateStatus>> {
    const response = await fetch(new URL(`/v1/status-lists/${encodeURIComponent(org)}`, options.certificationBodyUrl), {
      headers: { accept: 'application/jwt' },
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after') ?? '10');
      watch.pausedUntil = Date.now() + Math.max(1, seconds) * 1000;
      throw new Error(`certification body rate-limits the status list; pausing ${seconds} s`);
    }
    if (!response.ok) throw new Error(`certification body answered ${response.status} for the status list of ${org}`);
    const { payload } = await jwtVerify((await response.text()).trim(), jwks, {
      algorithms: ['EdDSA'],
      typ: STATUS_LIST_TYP,
      subject: org,
    });
    const list = statusListClaimsSchema.parse(payload).certificates;
    return new Map(list.map((entry) => [entry.id, { ...entry }]));
  }

  async function refresh(org: string): Promise<Map<string, CertificateStatus>> {
    const watch = watchOf(org);
    if (watch.inflight) return watch.inflight;
    watch.inflight = (async () => {
      try {
        const next = await fetchList(org, watch);
        const previous = watch.entries;
        watch.entries = next;
        watch.fetchedAt = Date.now();
        if (previous) {
          for (const [id, entry] of next) {
            const before = previous.get(id);
            if (
              before &&
              before.status === entry.status &&
              before.reasonCode === entry.reasonCode &&
              before.since === entry.since
            )
              continue;
            for (const listener of watch.listeners) listener({ ...entry, previousStatus: before?.status ?? null });
          }
        }
        return next;
      } finally {
        watch.inflight = undefined;
      }
    })();
    return watch.inflight;
  }

  const tick = (org: string) => async () => {
    const watch = orgs.get(org);
    if (!watch || Date.now() < watch.pausedUntil) return;
    await refresh(org).catch((error) =>
      options.log?.(`certificate watch (${org}): ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  return {
    /** The organization's certificates now (a read at most `intervalMs` old). */
    async snapshot(org: string): Promise<CertificateStatus[]> {
      const watch = watchOf(org);
      if (watch.entries && Date.now() - watch.fetchedAt < intervalMs) return [...watch.entries.values()];
      return [...(await refresh(org)).values()];
    },
    /** Calls `listener` with every change of the organization's certificates from now on. */
    async subscribe(org: string, listener: Listener): Promise<() => void> {
      const watch = watchOf(org);
      watch.listeners.add(listener);
      if (!watch.entries)
        await refresh(org).catch((error) =>
          options.log?.(`certificate watch (${org}): ${error instanceof Error ? error.message : String(error)}`),
        );
      if (!watch.timer) {
        watch.timer = setInterval(tick(org), intervalMs);
        watch.timer.unref();
      }
      return () => {
        watch.listeners.delete(listener);
        if (watch.listeners.size === 0) {
          clearInterval(watch.timer);
          orgs.delete(org);
        }
      };
    },
    close() {
      for (const watch of orgs.values()) clearInterval(watch.timer);
      orgs.clear();
    },
  };
}

export type CertificateWatch = ReturnType<typeof createCertificateWatch>;
