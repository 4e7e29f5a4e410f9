import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, download, type Page } from '../lib/api.ts';
import { canReadAudit, canReadEvidence, useAuth } from '../lib/auth.tsx';
import { dateTime, formatValue, label, relative, shortId, STATUS_COLOURS } from '../lib/format.ts';
import { useLiveEvents } from '../lib/live.tsx';
import { Link, useRouter } from '../lib/router.tsx';
import { useData } from '../lib/use-data.ts';
import { EvidenceDrawer, VerificationBadge, type EvidenceItem } from '../components/EvidenceDrawer.tsx';
import { MetricChart, type ChartPoint, type ChartThreshold } from '../components/MetricChart.tsx';
import { observedEvidence, ObservationsPanel, useObservations } from '../components/ObservationsPanel.tsx';
import { Badge, ErrorPanel, Loading, Mono, NotFoundPanel, Tile } from '../components/ui.tsx';
import { certificateOf, useCertificates } from './Overview.tsx';

interface ToeView {
  id: string;
  name: string;
  org: string;
  businessPurpose: string;
  fieldOfOperation: string;
  riskClass: string;
  owner: string;
  artifacts: { models: { name: string; sha256: string }[]; datasets: { name: string; sha256: string }[] };
}

interface Posture {
  posture: string;
  scopeVersion: number | null;
  sequence: number;
  updatedAt: string | null;
  requirements: {
    id: string;
    title: string;
    severity: string;
    critical: boolean;
    status: string;
    reason: string;
    details: any[];
    evidenceIds: string[];
    evaluatedAt: string | null;
  }[];
}

interface ResultItem {
  id: number;
  requirementId: string;
  status: string;
  previousStatus: string | null;
  reason: string;
  evidenceIds: string[];
  evaluatedAt: string;
}

const TABS = [
  ['requirements', 'Requirements'],
  ['metrics', 'Metrics'],
  ['observations', 'Observations'],
  ['evidence', 'Evidence'],
  ['audit', 'Audit trail'],
  ['scopes', 'Scope'],
  ['certificate', 'Certificate'],
  ['reports', 'Reports'],
] as const;

export function ToePage({ toeId }: { toeId: string }) {
  const { location, navigate } = useRouter();
  const tab = location.query.get('tab') ?? 'requirements';
  const [evidenceId, setEvidenceId] = useState<string | null>(null);
  const toe = useData<ToeView>(toeId, () => api(`/v1/toes/${toeId}`));
  const posture = useData<Posture>(toeId, () => api(`/v1/toes/${toeId}/posture`));
  const { certificates } = useCertificates();
  const certificate = certificateOf(certificates, toeId);
  const [pulse, setPulse] = useState(0);

  useLiveEvents((event) => {
    if (event.data.toe !== toeId) return;
    if (event.type === 'posture' || event.type === 'evaluated') {
      posture.reload();
      setPulse((value) => value + 1);
    }
  });

  if (toe.error instanceof ApiError && toe.error.status === 404) return <NotFoundPanel />;
  if (toe.error) return <ErrorPanel error={toe.error} />;
  if (!toe.data) return <Loading what="the target of evaluation" />;
  const view = toe.data;
  const requirements = posture.data?.requirements ?? [];
  const compliant = requirements.filter((entry) => entry.status === 'compliant').length;

  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/">Overview</Link> / <span>{view.name}</span>
      </div>
      <div className="page-header">
        <div>
          <h1>{view.name}</h1>
          <p className="muted">
            {view.businessPurpose} · {view.fieldOfOperation} · {view.riskClass} risk · owner {view.owner} ·{' '}
            <Mono>{view.id}</Mono>
          </p>
        </div>
      </div>
      <div className="tiles">
        <Tile
          label="Posture"
          value={
            <span data-testid="toe-posture">
              <Badge status={posture.data?.posture ?? 'pending'} large />
            </span>
          }
          hint={
            posture.data?.updatedAt
              ? `since ${relative(posture.data.updatedAt)} · assessment #${posture.data.sequence}`
              : 'not assessed yet'
          }
          tone={STATUS_COLOURS[posture.data?.posture ?? 'pending']}
        />
        <Tile
          label="Certificate"
          value={
            <span data-testid="toe-certificate">
              <Badge status={certificate?.status ?? 'none'} large />
            </span>
          }
          hint={
            certificate ? `${label(certificate.reason ?? '')} · since ${relative(certificate.since)}` : 'none issued'
          }
          tone={STATUS_COLOURS[certificate?.status ?? 'none']}
        />
        <Tile
          label="Requirements met"
          value={`${compliant}/${requirements.length}`}
          hint={posture.data?.scopeVersion ? `approved scope v${posture.data.scopeVersion}` : 'no approved scope'}
        />
      </div>
      <nav className="tabs" role="tablist">
        {TABS.map(([key, title]) => (
          <button
            key={key}
            role="tab"
            aria-selected={tab === key}
            className={tab === key ? 'tab active' : 'tab'}
            onClick={() => navigate(`/toes/${toeId}?tab=${key}`, { replace: true })}
          >
            {title}
          </button>
        ))}
      </nav>
      <div className="tab-body">
        {tab === 'requirements' ? (
          <RequirementsTab toeId={toeId} posture={posture.data} pulse={pulse} openEvidence={setEvidenceId} />
        ) : null}
        {tab === 'metrics' ? <MetricsTab toeId={toeId} pulse={pulse} openEvidence={setEvidenceId} /> : null}
        {tab === 'observations' ? (
          <ObservationsPanel toeId={toeId} pulse={pulse} requirements={requirements} openEvidence={setEvidenceId} />
        ) : null}
        {tab === 'evidence' ? <EvidenceTab toeId={toeId} pulse={pulse} openEvidence={setEvidenceId} /> : null}
        {tab === 'audit' ? <AuditTab toeId={toeId} /> : null}
        {tab === 'scopes' ? <ScopesTab toeId={toeId} /> : null}
        {tab === 'certificate' ? <CertificateTab toeId={toeId} certificate={certificate} /> : null}
        {tab === 'reports' ? <ReportsTab toeId={toeId} /> : null}
      </div>
      {evidenceId ? <EvidenceDrawer toeId={toeId} evidenceId={evidenceId} onClose={() => setEvidenceId(null)} /> : null}
    </div>
  );
}

function HistoryStrip({ changes }: { changes: ResultItem[] }) {
  if (changes.length === 0) return <span className="muted small">no history</span>;
  const ordered = [...changes].sort((a, b) => a.evaluatedAt.localeCompare(b.evaluatedAt));
  const start = Date.parse(ordered[0]!.evaluatedAt);
  const end = Date.now();
  return (
    <div className="history-strip" title="status over time (oldest left)">
      {ordered.map((change, index) => {
        const from = Date.parse(change.evaluatedAt);
        const to = index + 1 < ordered.length ? Date.parse(ordered[index + 1]!.evaluatedAt) : end;
        return (
          <span
            key={change.id}
            style={{ flex: Math.max(1, to - from), minWidth: 3, background: STATUS_COLOURS[change.status] }}
            title={`${label(change.status)} from ${dateTime(change.evaluatedAt)}: ${change.reason}`}
          />
        );
      })}
      <span className="history-strip-span muted small">{relative(new Date(start).toISOString())}</span>
    </div>
  );
}

function RequirementsTab({
  toeId,
  posture,
  pulse,
  openEvidence,
}: {
  toeId: string;
  posture: Posture | undefined;
  pulse: number;
  openEvidence: (id: string) => void;
}) {
  const changes = useData<Page<ResultItem>>(`${toeId}`, () =>
    api(`/v1/toes/${toeId}/results?changesOnly=true&limit=200`),
  );
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (pulse > 0) changes.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pulse]);
  if (!posture) return <Loading what="requirements" />;
  if (posture.requirements.length === 0)
    return <div className="panel muted">No approved scope yet: nothing is evaluated. See the Scope tab.</div>;
  const byRequirement = new Map<string, ResultItem[]>();
  for (const item of changes.data?.items ?? [])
    byRequirement.set(item.requirementId, [...(byRequirement.get(item.requirementId) ?? []), item]);
  return (
    <table className="table requirements-table">
      <thead>
        <tr>
          <th>Requirement</th>
          <th>Status</th>
          <th>Measured</th>
          <th>History</th>
          <th>Evidence</th>
        </tr>
      </thead>
      <tbody>
        {posture.requirements.map((requirement) => (
          <Fragment key={requirement.id}>
            <tr data-requirement={requirement.id}>
              <td>
                <button
                  className="link-button strong"
                  onClick={() => setOpen(open === requirement.id ? null : requirement.id)}
                >
                  {requirement.id}
                </button>
                <div>{requirement.title}</div>
                <div className="muted small">
                  {requirement.severity}
                  {requirement.critical ? <span className="critical"> · critical</span> : null}
                </div>
              </td>
              <td>
                <Badge status={requirement.status} />
                <div className="muted small">{requirement.evaluatedAt ? relative(requirement.evaluatedAt) : ''}</div>
              </td>
              <td>
                {(requirement.details ?? []).slice(0, 3).map((detail, index) => (
                  <div key={index} className={detail.success === false ? 'detail-fail' : 'detail-pass'}>
                    {detail.property} = <strong>{formatValue(detail.value)}</strong> {detail.operator}{' '}
                    {formatValue(detail.target)}
                  </div>
                ))}
                <div className="muted small">{requirement.reason}</div>
              </td>
              <td className="history-cell">
                <HistoryStrip changes={byRequirement.get(requirement.id) ?? []} />
              </td>
              <td>
                {requirement.evidenceIds.slice(0, 3).map((id) => (
                  <button
                    key={id}
                    className="link-button mono"
                    onClick={() => openEvidence(id)}
                    title="open the signed evidence"
                  >
                    {shortId(id)}
                  </button>
                ))}
              </td>
            </tr>
            {open === requirement.id ? (
              <tr className="expanded">
                <td colSpan={5}>
                  <RequirementHistory toeId={toeId} requirementId={requirement.id} openEvidence={openEvidence} />
                </td>
              </tr>
            ) : null}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

function RequirementHistory({
  toeId,
  requirementId,
  openEvidence,
}: {
  toeId: string;
  requirementId: string;
  openEvidence: (id: string) => void;
}) {
  const [items, setItems] = useState<ResultItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [changesOnly, setChangesOnly] = useState(true);
  const load = useCallback(
    async (after: string | null) => {
      const page = await api<Page<ResultItem>>(
        `/v1/toes/${toeId}/results?requirement=${encodeURIComponent(requirementId)}&changesOnly=${changesOnly}&limit=25${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
      );
      setItems((current) => (after ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor);
    },
    [toeId, requirementId, changesOnly],
  );
  useEffect(() => void load(null), [load]);
  return (
    <div className="history">
      <div className="row-gap">
        <strong>History of {requirementId}</strong>
        <label className="small">
          <input type="checkbox" checked={changesOnly} onChange={(event) => setChangesOnly(event.target.checked)} />{' '}
          status changes only
        </label>
      </div>
      <table className="table compact">
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td>{dateTime(item.evaluatedAt)}</td>
              <td>
                <Badge status={item.status} />
              </td>
              <td>{item.reason}</td>
              <td>
                {item.evidenceIds.slice(0, 3).map((id) => (
                  <button key={id} className="link-button mono" onClick={() => openEvidence(id)}>
                    {shortId(id)}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor ? (
        <button className="button-secondary" onClick={() => void load(cursor)}>
          Older
        </button>
      ) : null}
    </div>
  );
}

interface MetricsCatalog {
  thresholds: (ChartThreshold & { title: string; selector: Selector })[];
  measured: (Selector & {
    points: number;
    firstAt: string;
    lastAt: string;
    dataset: string | null;
    split: string | null;
    slice: string | null;
  })[];
}
interface Selector {
  kind: string;
  metric: string;
  dataset?: string | null;
  split?: string | null;
  slice?: string | null;
}

const selectorKey = (selector: Selector) =>
  [selector.kind, selector.metric, selector.dataset ?? '', selector.split ?? '', selector.slice ?? ''].join('|');

const WINDOWS = [
  ['all', 'All', 0],
  ['90d', '90 days', 90],
  ['30d', '30 days', 30],
  ['7d', '7 days', 7],
  ['1d', '24 h', 1],
] as const;

function MetricsTab({
  toeId,
  pulse,
  openEvidence,
}: {
  toeId: string;
  pulse: number;
  openEvidence: (id: string) => void;
}) {
  const catalog = useData<MetricsCatalog>(toeId, () => api(`/v1/toes/${toeId}/metrics`));
  const observations = useObservations(toeId, pulse);
  const highlighted = useMemo(() => observedEvidence(observations.data?.items), [observations.data]);
  const [window, setWindow] = useState<string>('all');
  const charts = useMemo(() => {
    if (!catalog.data) return [];
    const entries = new Map<string, { selector: Selector; thresholds: ChartThreshold[]; title: string }>();
    for (const line of catalog.data.thresholds) {
      const key = selectorKey(line.selector);
      const entry = entries.get(key) ?? { selector: line.selector, thresholds: [], title: line.title };
      entry.thresholds.push(line);
      entries.set(key, entry);
    }
    for (const measured of catalog.data.measured) {
      const key = selectorKey(measured);
      if (
        ![...entries.values()].some(
          (entry) => entry.selector.kind === measured.kind && entry.selector.metric === measured.metric,
        )
      ) {
        entries.set(key, { selector: measured, thresholds: [], title: 'no requirement sets a threshold' });
      }
    }
    return [...entries.values()];
  }, [catalog.data]);
  if (catalog.error) return <ErrorPanel error={catalog.error} />;
  if (!catalog.data) return <Loading what="metrics" />;
  if (charts.length === 0) return <div className="panel muted">No numeric measurements yet.</div>;
  const days = WINDOWS.find(([key]) => key === window)?.[2] ?? 0;
  return (
    <div>
      <div className="row-gap toolbar">
        <span className="muted">Window</span>
        {WINDOWS.map(([key, title]) => (
          <button key={key} className={window === key ? 'chip active' : 'chip'} onClick={() => setWindow(key)}>
            {title}
          </button>
        ))}
        <span className="muted small">Click a point to open the signed evidence behind it.</span>
      </div>
      <div className="charts">
        {charts.map((chart) => (
          <MetricPanel
            key={selectorKey(chart.selector)}
            toeId={toeId}
            chart={chart}
            days={days}
            pulse={pulse}
            openEvidence={openEvidence}
            highlighted={highlighted}
          />
        ))}
      </div>
    </div>
  );
}

interface Series {
  total: number;
  downsampled: boolean;
  points: ChartPoint[];
  thresholds: ChartThreshold[];
}

function MetricPanel({
  toeId,
  chart,
  days,
  pulse,
  openEvidence,
  highlighted,
}: {
  toeId: string;
  chart: { selector: Selector; thresholds: ChartThreshold[]; title: string };
  days: number;
  pulse: number;
  openEvidence: (id: string) => void;
  highlighted: ReadonlySet<string>;
}) {
  const query = new URLSearchParams({ kind: chart.selector.kind, metric: chart.selector.metric, points: '1200' });
  for (const field of ['dataset', 'split', 'slice'] as const)
    if (chart.selector[field]) query.set(field, chart.selector[field]!);
  if (days > 0) {
    query.set('from', new Date(Date.now() - days * 86_400_000).toISOString());
    query.set('to', new Date(Date.now() + 60_000).toISOString());
  }
  const series = useData<Series>(`${toeId}?${query}`, () => api(`/v1/toes/${toeId}/metrics/series?${query}`));
  useEffect(() => {
    if (pulse > 0) series.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pulse]);
  const last = series.data?.points.at(-1);
  return (
    <section className="chart-panel">
      <header className="chart-header">
        <div>
          <h3>
            {chart.selector.metric}{' '}
            <span className="muted small">
              {chart.selector.kind}
              {chart.selector.dataset ? ` · ${chart.selector.dataset}` : ''}
              {chart.selector.slice ? ` · slice ${chart.selector.slice}` : ''}
            </span>
          </h3>
          <div className="muted small">
            {chart.thresholds.length > 0
              ? chart.thresholds.map((line) => `${line.requirementId} ${line.operator} ${line.target}`).join(' · ')
              : chart.title}
          </div>
        </div>
        <div className="chart-last">
          {last ? (
            <button
              className="link-button"
              onClick={() => openEvidence(last.evidenceId)}
              title="newest value: open its evidence"
            >
              <strong>{formatValue(last.value)}</strong>
              <div className="muted small">{relative(last.at)}</div>
            </button>
          ) : null}
        </div>
      </header>
      {series.error ? <ErrorPanel error={series.error} /> : null}
      {series.data ? (
        <>
          <MetricChart
            points={series.data.points}
            thresholds={series.data.thresholds.length ? series.data.thresholds : chart.thresholds}
            label={chart.selector.metric}
            onPoint={(point) => openEvidence(point.evidenceId)}
            highlighted={highlighted}
          />
          <div className="muted small">
            {series.data.total} measurement{series.data.total === 1 ? '' : 's'}
            {series.data.downsampled
              ? ` · ${series.data.points.length} drawn (first, lowest, highest and last of each time bucket: no violation is hidden)`
              : ''}
          </div>
        </>
      ) : (
        <Loading />
      )}
    </section>
  );
}

function EvidenceTab({
  toeId,
  pulse,
  openEvidence,
}: {
  toeId: string;
  pulse: number;
  openEvidence: (id: string) => void;
}) {
  const { session } = useAuth();
  const [kind, setKind] = useState('');
  const [items, setItems] = useState<EvidenceItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      try {
        const page = await api<Page<EvidenceItem>>(
          `/v1/toes/${toeId}/evidence?limit=25${kind ? `&kind=${kind}` : ''}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
        );
        setItems((current) => (after ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (failure) {
        setError(failure);
      } finally {
        setLoading(false);
      }
    },
    [toeId, kind],
  );
  useEffect(() => void load(null), [load, pulse]);
  if (!canReadEvidence(session))
    return <div className="panel muted">Your role ({session?.role}) does not read evidence.</div>;
  return (
    <div>
      <div className="row-gap toolbar">
        <label className="muted" htmlFor="kind">
          Kind
        </label>
        <select id="kind" value={kind} onChange={(event) => setKind(event.target.value)}>
          <option value="">all</option>
          {[
            'performance',
            'evaluation',
            'fairness',
            'robustness',
            'drift',
            'data_quality',
            'dataset',
            'model_card',
            'provenance',
            'explanation',
            'feature_importance',
            'model_architecture',
            'model_parameters',
          ].map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
        <span className="muted small">
          Every envelope is verified again when listed: digest, DSSE signature, receipt.
        </span>
      </div>
      {error ? <ErrorPanel error={error} /> : null}
      <table className="table evidence-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Observed</th>
            <th>Kind</th>
            <th>Producer</th>
            <th>Measurements</th>
            <th>Verification</th>
            <th>Envelope SHA-256</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-evidence={item.id}>
              <td className="num">{item.sequence}</td>
              <td title={`received ${dateTime(item.receivedAt)}`}>{dateTime(item.observedAt)}</td>
              <td>{label(item.kind)}</td>
              <td>
                {item.producer?.tool ?? '—'}
                <div className="muted small">{item.producer?.pipelineRunId ?? ''}</div>
              </td>
              <td>
                {item.measurements.slice(0, 3).map((measurement, index) => (
                  <div key={index} className="small">
                    {measurement.name} = <strong>{formatValue(measurement.value)}</strong>
                  </div>
                ))}
                {item.measurementCount > 3 ? (
                  <div className="muted small">+{item.measurementCount - 3} more</div>
                ) : null}
                {item.checkCount > 0 ? <div className="muted small">{item.checkCount} checks</div> : null}
              </td>
              <td>
                <VerificationBadge verification={item.verification} />
                <div className="muted small">ledger #{item.logIndex ?? '—'}</div>
              </td>
              <td>
                <button
                  className="link-button mono"
                  title={`${item.envelopeSha256} — download the envelope exactly as received`}
                  onClick={() => void download(item.links.envelope, `evidence-${item.sequence}.dsse.json`)}
                >
                  {item.envelopeSha256.slice(0, 16)}…
                </button>
                {item.raw ? (
                  <div className="muted small" title={item.raw.digest.sha256}>
                    raw {item.raw.mediaType}
                  </div>
                ) : null}
              </td>
              <td>
                <button className="button-secondary small" onClick={() => openEvidence(item.id)}>
                  Receipt &amp; details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && items.length === 0 ? (
        <div className="panel muted">No evidence{kind ? ` of kind ${kind}` : ''} yet.</div>
      ) : null}
      {loading ? <Loading /> : null}
      {cursor && !loading ? (
        <button className="button-secondary" onClick={() => void load(cursor)}>
          Older evidence
        </button>
      ) : null}
    </div>
  );
}

interface AuditEvent {
  id: number;
  actor: string;
  role: string;
  action: string;
  entity: string;
  comment: string | null;
  at: string;
  beforeDigest: string | null;
  afterDigest: string | null;
}

function AuditTab({ toeId }: { toeId: string }) {
  const { session } = useAuth();
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await api<Page<AuditEvent>>(
          `/v1/audit-events?toe=${toeId}&limit=50${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
        );
        setItems((current) => (after ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (failure) {
        setError(failure);
      }
    },
    [toeId],
  );
  useEffect(() => {
    if (canReadAudit(session)) void load(null);
  }, [load, session]);
  if (!canReadAudit(session))
    return <div className="panel muted">The audit trail is read by auditors and administrators.</div>;
  return (
    <div>
      {error ? <ErrorPanel error={error} /> : null}
      <table className="table">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Entity</th>
            <th>Comment</th>
            <th>Digest after</th>
          </tr>
        </thead>
        <tbody>
          {items.map((event) => (
            <tr key={event.id}>
              <td>{dateTime(event.at)}</td>
              <td>
                {event.actor} <span className="muted small">{event.role}</span>
              </td>
              <td>{event.action}</td>
              <td className="small">{event.entity}</td>
              <td>{event.comment ?? ''}</td>
              <td>
                {event.afterDigest ? <Mono title={event.afterDigest}>{event.afterDigest.slice(0, 12)}…</Mono> : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <div className="panel muted">No recorded actions.</div> : null}
      {cursor ? (
        <button className="button-secondary" onClick={() => void load(cursor)}>
          More
        </button>
      ) : null}
    </div>
  );
}

interface ScopeVersion {
  version: number;
  state: string;
  digest: string;
  createdBy: string;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

function ScopesTab({ toeId }: { toeId: string }) {
  const scopes = useData<{ items: ScopeVersion[] }>(toeId, () => api(`/v1/toes/${toeId}/scopes`));
  if (scopes.error) return <ErrorPanel error={scopes.error} />;
  if (!scopes.data) return <Loading />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Version</th>
          <th>State</th>
          <th>Drafted</th>
          <th>Decided</th>
          <th>Digest</th>
        </tr>
      </thead>
      <tbody>
        {[...scopes.data.items].reverse().map((scope) => (
          <tr key={scope.version}>
            <td>
              <Link to={`/toes/${toeId}/scopes/${scope.version}`} className="strong">
                v{scope.version}
              </Link>
            </td>
            <td>
              <Badge status={scope.state} />
            </td>
            <td>
              {dateTime(scope.createdAt)} <span className="muted small">{scope.createdBy}</span>
            </td>
            <td>{scope.decidedAt ? `${dateTime(scope.decidedAt)} · ${scope.decidedBy}` : '—'}</td>
            <td>
              <Mono title={scope.digest}>{scope.digest.slice(0, 16)}…</Mono>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CertificateTab({ toeId, certificate }: { toeId: string; certificate: ReturnType<typeof certificateOf> }) {
  const { session } = useAuth();
  const readsCertificates = ['auditee', 'certification_body', 'admin'].includes(session?.role ?? '');
  const detail = useData<any>(readsCertificates && certificate ? `${certificate.id}:${certificate.status}` : null, () =>
    api(`/v1/certificates/${certificate!.id}`, { service: 'certification' }),
  );
  if (!certificate)
    return (
      <div className="panel muted">
        No certificate for this ToE yet: the certification body issues one once the scope is approved and the posture is
        compliant.
      </div>
    );
  return (
    <div>
      <table className="kv">
        <tbody>
          <tr>
            <th>Status</th>
            <td>
              <Badge status={certificate.status} large />{' '}
              <span className="muted">{label(certificate.reason ?? '')}</span>
            </td>
          </tr>
          <tr>
            <th>Certificate</th>
            <td>
              <Mono>{certificate.id}</Mono>
            </td>
          </tr>
          <tr>
            <th>Since</th>
            <td>{dateTime(certificate.since)}</td>
          </tr>
          <tr>
            <th>Scope version</th>
            <td>{certificate.scopeVersion ?? '—'}</td>
          </tr>
          <tr>
            <th>Public status</th>
            <td>
              <Mono>/v1/status/{certificate.id}</Mono>{' '}
              <span className="muted small">at the certification body, for anyone</span>
            </td>
          </tr>
        </tbody>
      </table>
      {readsCertificates ? (
        detail.data ? (
          <>
            <h3>History</h3>
            <table className="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Transition</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {detail.data.history.map((entry: any, index: number) => (
                  <tr key={index}>
                    <td>{dateTime(entry.at)}</td>
                    <td>
                      <Badge status={entry.from === 'none' ? 'none' : entry.from} /> → <Badge status={entry.to} />
                    </td>
                    <td>{entry.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : detail.error ? (
          <ErrorPanel error={detail.error} />
        ) : (
          <Loading />
        )
      ) : (
        <p className="muted">
          The certification body shows certificate histories to the auditee, itself and administrators; the status above
          is its signed public status list. The audit report includes what it shows you.
        </p>
      )}
      <p className="muted small">ToE {toeId}</p>
    </div>
  );
}

function ReportsTab({ toeId }: { toeId: string }) {
  const today = new Date();
  const [from, setFrom] = useState(new Date(today.getTime() - 30 * 86_400_000).toISOString().slice(0, 10));
  const [to, setTo] = useState(new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const query = `from=${encodeURIComponent(`${from}T00:00:00Z`)}&to=${encodeURIComponent(`${to}T00:00:00Z`)}`;
  const run = async (what: string, work: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div className="reports">
      <p className="muted">
        Exports for a window (at most 366 days): OSCAL 1.1.2 assessment results (observations from evidence, findings
        from requirement results, risks from non-compliance) and the audit report with posture, results, charts,
        certificate history and evidence digests.
      </p>
      <div className="row-gap toolbar">
        <label>
          From <input type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        </label>
      </div>
      <div className="row-gap">
        <button
          disabled={busy !== undefined}
          onClick={() =>
            void run('oscal', () => download(`/v1/toes/${toeId}/reports/oscal-ar?${query}`, `${toeId}.oscal.json`))
          }
        >
          {busy === 'oscal' ? 'Exporting…' : 'OSCAL assessment results (JSON)'}
        </button>
        <button
          disabled={busy !== undefined}
          title="Catalog, profiles, SSP, assessment plan, results per day and POA&M of the scope version in force, from its approval to now"
          onClick={() =>
            void run('bundle', () => download(`/v1/toes/${toeId}/reports/oscal-bundle`, `${toeId}-oscal-bundle.zip`))
          }
        >
          {busy === 'bundle' ? 'Exporting…' : 'OSCAL bundle (zip)'}
        </button>
        <button
          disabled={busy !== undefined}
          className="button-secondary"
          onClick={() =>
            void run('html', () =>
              download(`/v1/toes/${toeId}/reports/audit?format=html&${query}`, `${toeId}-audit-report.html`, {
                open: true,
              }),
            )
          }
        >
          {busy === 'html' ? 'Rendering…' : 'Audit report (HTML)'}
        </button>
        <button
          disabled={busy !== undefined}
          className="button-secondary"
          onClick={() =>
            void run('pdf', () =>
              download(`/v1/toes/${toeId}/reports/audit?format=pdf&${query}`, `${toeId}-audit-report.pdf`),
            )
          }
        >
          {busy === 'pdf' ? 'Rendering…' : 'Audit report (PDF)'}
        </button>
      </div>
      {error ? <ErrorPanel error={error} /> : null}
    </div>
  );
}
