import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, type Page } from '../lib/api.ts';
import { canReview, useAuth } from '../lib/auth.tsx';
import { dateTime, relative, STATUS_COLOURS } from '../lib/format.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { Link } from '../lib/router.tsx';
import { Badge, ErrorPanel, Loading, StatusBar, Tile } from '../components/ui.tsx';
import { UndeliveredPanel } from '../components/UndeliveredPanel.tsx';

export interface ToeSummary {
  id: string;
  name: string;
  riskClass: string;
  owner: string;
  posture: string;
  postureUpdatedAt: string | null;
  lastObservedAt: string | null;
  scope: { inForceVersion: number | null; latestVersion: number | null; latestState: string | null };
  requirements: { total: number; compliant: number; non_compliant: number; pending: number; error: number };
}

export interface CertificateStatus {
  id: string;
  toe: string;
  status: string;
  reason: string | null;
  since: string | null;
  scopeVersion: number | null;
  expiresAt: string | null;
}

/** The certificate that speaks for a ToE now: the newest by `since`. */
export function certificateOf(certificates: CertificateStatus[], toe: string): CertificateStatus | undefined {
  return certificates
    .filter((entry) => entry.toe === toe)
    .sort((a, b) => (b.since ?? '').localeCompare(a.since ?? ''))[0];
}

export function useCertificates() {
  const [certificates, setCertificates] = useState<CertificateStatus[]>([]);
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    api<{ items: CertificateStatus[] }>('/api/certificates').then(
      (answer) => {
        setCertificates(answer.items);
        setError(undefined);
      },
      (failure) => setError(String(failure.message)),
    );
  }, []);
  useEffect(load, [load]);
  useLiveEvents((event) => {
    if (event.type !== 'certificate') return;
    setCertificates((current) => [
      ...current.filter((entry) => entry.id !== event.data.id),
      { ...event.data, expiresAt: null },
    ]);
  });
  return { certificates, error };
}

export function Overview() {
  const { session } = useAuth();
  const [pages, setPages] = useState<ToeSummary[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [loaded, setLoaded] = useState(false);
  const [flash, setFlash] = useState<Record<string, number>>({});
  const { certificates, error: certificateError } = useCertificates();
  const reloadTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const loadFirst = useCallback(async () => {
    try {
      const first = await api<Page<ToeSummary>>('/v1/overview?limit=100');
      setPages([first.items]);
      setCursor(first.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoaded(true);
    }
  }, []);
  useEffect(() => void loadFirst(), [loadFirst]);

  const loadMore = async () => {
    if (!cursor) return;
    const next = await api<Page<ToeSummary>>(`/v1/overview?limit=100&cursor=${encodeURIComponent(cursor)}`);
    setPages((current) => [...current, next.items]);
    setCursor(next.nextCursor);
  };

  useLiveEvents((event) => {
    if (event.type === 'certificate' || event.type === 'posture')
      setFlash((current) => ({ ...current, [event.data.toe]: Date.now() }));
    if (event.type === 'posture' || event.type === 'toe' || event.type === 'evaluated') {
      clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => void loadFirst(), 250);
    }
  });

  const toes = useMemo(() => pages.flat(), [pages]);
  const totals = useMemo(() => {
    const byPosture: Record<string, number> = {};
    for (const toe of toes) byPosture[toe.posture] = (byPosture[toe.posture] ?? 0) + 1;
    const byCertificate: Record<string, number> = {};
    for (const toe of toes) {
      const status = certificateOf(certificates, toe.id)?.status ?? 'none';
      byCertificate[status] = (byCertificate[status] ?? 0) + 1;
    }
    return { byPosture, byCertificate };
  }, [toes, certificates]);
  const reviews = toes.filter((toe) => toe.scope.latestState === 'submitted');

  if (!loaded) return <Loading what="targets of evaluation" />;
  if (error) return <ErrorPanel error={error} />;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Targets of evaluation</h1>
          <p className="muted">
            {session?.org} · {toes.length} ML system{toes.length === 1 ? '' : 's'} under continuous assessment
          </p>
        </div>
      </div>
      <div className="tiles">
        <Tile
          label="Compliant"
          value={totals.byPosture.compliant ?? 0}
          tone={STATUS_COLOURS.compliant}
          hint="posture now"
        />
        <Tile
          label="Non-compliant"
          value={totals.byPosture.non_compliant ?? 0}
          tone={STATUS_COLOURS.non_compliant}
          hint="posture now"
        />
        <Tile
          label="Pending / error"
          value={(totals.byPosture.pending ?? 0) + (totals.byPosture.error ?? 0)}
          tone={STATUS_COLOURS.pending}
          hint="not measured yet, or not measurable"
        />
        <Tile
          label="Certificates valid"
          value={totals.byCertificate.good ?? 0}
          tone={STATUS_COLOURS.good}
          hint={`${totals.byCertificate.suspended ?? 0} suspended · ${totals.byCertificate.revoked ?? 0} revoked`}
        />
      </div>
      {canReview(session) && reviews.length > 0 ? (
        <div className="panel panel-info">
          <strong>
            {reviews.length} scope{reviews.length === 1 ? '' : 's'} waiting for your review:
          </strong>{' '}
          {reviews.map((toe, index) => (
            <span key={toe.id}>
              {index > 0 ? ', ' : ''}
              <Link to={`/toes/${toe.id}/scopes/${toe.scope.latestVersion}`}>
                {toe.name} v{toe.scope.latestVersion}
              </Link>
            </span>
          ))}
        </div>
      ) : null}
      {canReview(session) ? <UndeliveredPanel /> : null}
      {certificateError ? (
        <div className="panel panel-warn">Certificate states unavailable: {certificateError}</div>
      ) : null}
      {toes.length === 0 ? (
        <div className="panel muted">No targets of evaluation yet. The auditee registers one with POST /v1/toes.</div>
      ) : (
        <table className="table overview-table">
          <thead>
            <tr>
              <th>ML system</th>
              <th>Posture</th>
              <th>Certificate</th>
              <th>Requirements</th>
              <th>Newest evidence</th>
              <th>Scope</th>
            </tr>
          </thead>
          <tbody>
            {toes.map((toe) => {
              const certificate = certificateOf(certificates, toe.id);
              const changed = flash[toe.id] && Date.now() - flash[toe.id]! < 4_000;
              return (
                <tr key={toe.id} className={changed ? 'flash' : undefined} data-toe={toe.id}>
                  <td>
                    <Link to={`/toes/${toe.id}`} className="strong">
                      {toe.name}
                    </Link>
                    <div className="muted small">
                      {toe.riskClass} risk · {toe.owner}
                    </div>
                  </td>
                  <td data-testid="posture">
                    <Badge status={toe.posture} />
                    <div className="muted small">
                      {toe.postureUpdatedAt ? `since ${relative(toe.postureUpdatedAt)}` : ''}
                    </div>
                  </td>
                  <td data-testid="certificate">
                    <Badge
                      status={certificate?.status ?? 'none'}
                      title={
                        certificate
                          ? `${certificate.reason ?? ''} since ${dateTime(certificate.since)}`
                          : 'no certificate'
                      }
                    />
                    <div className="muted small">{certificate?.reason?.replaceAll('_', ' ') ?? ''}</div>
                  </td>
                  <td>
                    <StatusBar counts={toe.requirements} />
                  </td>
                  <td title={dateTime(toe.lastObservedAt)}>{relative(toe.lastObservedAt)}</td>
                  <td>
                    {toe.scope.inForceVersion ? (
                      `v${toe.scope.inForceVersion} in force`
                    ) : (
                      <span className="muted">none approved</span>
                    )}
                    {toe.scope.latestState &&
                    toe.scope.latestState !== 'approved' &&
                    toe.scope.latestState !== 'superseded' ? (
                      <div>
                        <Link to={`/toes/${toe.id}/scopes/${toe.scope.latestVersion}`}>
                          v{toe.scope.latestVersion} <Badge status={toe.scope.latestState} />
                        </Link>
                      </div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {cursor ? (
        <button className="button-secondary" onClick={() => void loadMore()}>
          Load more
        </button>
      ) : null}
    </div>
  );
}
