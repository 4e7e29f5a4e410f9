import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../lib/api.ts';
import { canComment, canReview, useAuth } from '../lib/auth.tsx';
import { dateTime, label } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { useData } from '../lib/use-data.ts';
import { Badge, ErrorPanel, Loading, Mono, NotFoundPanel } from '../components/ui.tsx';

interface Comment {
  id: number;
  requirementId: string | null;
  author: string;
  role: string;
  body: string;
  createdAt: string;
}

interface Requirement {
  id: string;
  title: string;
  description?: string;
  severity: string;
  critical?: boolean;
  mitigates?: string[];
  controls?: string[];
  rule: unknown;
  freshness?: string;
  gracePeriod?: string;
}

interface ScopeDetail {
  toeId: string;
  version: number;
  state: string;
  digest: string;
  document: {
    risks?: { id: string; description: string; likelihood: string; impact: string }[];
    requirements: Requirement[];
    measurements?: {
      requirementId: string;
      evidenceKinds: string[];
      tools?: string[];
      metrics?: string[];
      expectedFrequency: string;
    }[];
    collectorKeys?: { kid?: string; x?: string }[];
  };
  createdBy: string;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comments: Comment[];
}

function ruleText(rule: any): string {
  if (!rule || typeof rule !== 'object') return JSON.stringify(rule);
  if (rule.type === 'threshold')
    return `${rule.selector?.kind} · ${rule.selector?.metric}${rule.selector?.dataset ? ` (${rule.selector.dataset})` : ''} ${rule.operator} ${JSON.stringify(rule.target)}`;
  if (rule.type === 'trend')
    return `trend of ${rule.selector?.metric} (${rule.method}, ${rule.direction.replaceAll('_', ' ')})`;
  if (rule.type === 'freshness') return `${rule.kind} evidence at most ${rule.maxAge} old`;
  if (rule.type === 'checks')
    return `checks of ${rule.kind} evidence pass${rule.allowWarnings ? ' (warnings allowed)' : ''}`;
  if (rule.type === 'expression') return `CEL: ${rule.expression}`;
  return `${rule.type}: ${JSON.stringify(rule)}`;
}

function CommentThread({ comments }: { comments: Comment[] }) {
  if (comments.length === 0) return null;
  return (
    <ul className="comments">
      {comments.map((comment) => (
        <li key={comment.id}>
          <div className="comment-meta">
            <strong>{comment.author}</strong>{' '}
            <span className="muted small">
              {comment.role} · {dateTime(comment.createdAt)}
            </span>
          </div>
          <div>{comment.body}</div>
        </li>
      ))}
    </ul>
  );
}

function CommentForm({ onSubmit, placeholder }: { onSubmit: (body: string) => Promise<void>; placeholder: string }) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit(body);
      setBody('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comment-form" onSubmit={(event) => void submit(event)}>
      <textarea rows={2} value={body} placeholder={placeholder} onChange={(event) => setBody(event.target.value)} />
      <button type="submit" className="button-secondary small" disabled={busy || body.trim() === ''}>
        Comment
      </button>
    </form>
  );
}

/** The auditor's review of one scope version: the document per requirement, comments, and the decision. */
export function ScopeReview({ toeId, version }: { toeId: string; version: string }) {
  const { session } = useAuth();
  const scope = useData<ScopeDetail>(`${toeId}@${version}`, () => api(`/v1/toes/${toeId}/scopes/${version}`));
  const [decision, setDecision] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();

  if (scope.error instanceof ApiError && (scope.error.status === 404 || scope.error.status === 400))
    return <NotFoundPanel />;
  if (scope.error) return <ErrorPanel error={scope.error} />;
  if (!scope.data) return <Loading what="the scope" />;
  const data = scope.data;
  const reviewable = canReview(session) && data.state === 'submitted';

  const comment = async (body: string, requirementId?: string) => {
    setError(undefined);
    try {
      await api(`/v1/toes/${toeId}/scopes/${version}/comments`, {
        method: 'POST',
        body: { body, ...(requirementId ? { requirementId } : {}) },
      });
      scope.reload();
    } catch (failure) {
      setError(failure);
      throw failure;
    }
  };
  const decide = async (action: 'approve' | 'request-changes' | 'reject') => {
    setBusy(action);
    setError(undefined);
    try {
      await api(`/v1/toes/${toeId}/scopes/${version}/${action}`, {
        method: 'POST',
        body: decision.trim() ? { comment: decision.trim() } : {},
      });
      setDecision('');
      scope.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };
  const general = data.comments.filter((entry) => !entry.requirementId);
  const measurementsOf = (id: string) =>
    (data.document.measurements ?? []).filter((entry) => entry.requirementId === id);

  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/">Overview</Link> / <Link to={`/toes/${toeId}?tab=scopes`}>{toeId}</Link> /{' '}
        <span>scope v{data.version}</span>
      </div>
      <div className="page-header">
        <div>
          <h1>
            Scope v{data.version} <Badge status={data.state} large />
          </h1>
          <p className="muted">
            drafted by {data.createdBy} {dateTime(data.createdAt)}
            {data.decidedAt ? ` · decided by ${data.decidedBy} ${dateTime(data.decidedAt)}` : ''} · digest{' '}
            <Mono title={data.digest}>{data.digest.slice(0, 16)}…</Mono>
          </p>
        </div>
      </div>

      {reviewable ? (
        <section className="panel decision" aria-label="Decision">
          <h2>Your decision</h2>
          <p className="muted">
            Approving signs the decision and sends it to the certification body; the approved version is then evaluated
            continuously. A change needs a new version.
          </p>
          <textarea
            rows={3}
            value={decision}
            placeholder="Comment (required to request changes or reject)"
            onChange={(event) => setDecision(event.target.value)}
            aria-label="Decision comment"
          />
          <div className="row-gap">
            <button disabled={busy !== undefined} onClick={() => void decide('approve')} className="button-approve">
              {busy === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <button
              disabled={busy !== undefined || decision.trim() === ''}
              onClick={() => void decide('request-changes')}
              className="button-secondary"
            >
              Request changes
            </button>
            <button
              disabled={busy !== undefined || decision.trim() === ''}
              onClick={() => void decide('reject')}
              className="button-danger"
            >
              Reject
            </button>
          </div>
        </section>
      ) : (
        <div className="panel muted">
          {data.state === 'submitted'
            ? 'Submitted for review: the auditor decides.'
            : `This version is ${label(data.state)}${data.state === 'approved' ? ' and in force' : ''}.`}
        </div>
      )}
      {error ? <ErrorPanel error={error} /> : null}

      {(data.document.risks ?? []).length > 0 ? (
        <section>
          <h2>Risks</h2>
          <table className="table">
            <thead>
              <tr>
                <th>Risk</th>
                <th>Likelihood</th>
                <th>Impact</th>
              </tr>
            </thead>
            <tbody>
              {data.document.risks!.map((risk) => (
                <tr key={risk.id}>
                  <td>
                    <strong>{risk.id}</strong> {risk.description}
                  </td>
                  <td>{label(risk.likelihood)}</td>
                  <td>{risk.impact}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <section>
        <h2>Requirements ({data.document.requirements.length})</h2>
        {data.document.requirements.map((requirement) => (
          <article key={requirement.id} className="requirement-card" data-requirement={requirement.id}>
            <header>
              <h3>
                {requirement.id} <span className="muted">— {requirement.title}</span>
              </h3>
              <div className="row-gap small">
                <span className="chip static">severity {requirement.severity}</span>
                {requirement.critical ? <span className="chip static critical">critical</span> : null}
                {(requirement.controls ?? []).map((control) => (
                  <span key={control} className="chip static">
                    {control}
                  </span>
                ))}
              </div>
            </header>
            {requirement.description ? <p>{requirement.description}</p> : null}
            <table className="kv">
              <tbody>
                <tr>
                  <th>Rule</th>
                  <td>
                    <Mono>{ruleText(requirement.rule)}</Mono>
                  </td>
                </tr>
                {requirement.mitigates?.length ? (
                  <tr>
                    <th>Mitigates</th>
                    <td>{requirement.mitigates.join(', ')}</td>
                  </tr>
                ) : null}
                {requirement.freshness ? (
                  <tr>
                    <th>Freshness</th>
                    <td>evidence older than {requirement.freshness} fails</td>
                  </tr>
                ) : null}
                {requirement.gracePeriod ? (
                  <tr>
                    <th>Grace period</th>
                    <td>{requirement.gracePeriod}</td>
                  </tr>
                ) : null}
                {measurementsOf(requirement.id).map((measurement, index) => (
                  <tr key={index}>
                    <th>Measured by</th>
                    <td>
                      {measurement.evidenceKinds.join(', ')}{' '}
                      {measurement.tools?.length ? `from ${measurement.tools.join(', ')}` : ''} every{' '}
                      {measurement.expectedFrequency}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <CommentThread comments={data.comments.filter((entry) => entry.requirementId === requirement.id)} />
            {canComment(session) ? (
              <CommentForm
                placeholder={`Comment on ${requirement.id}`}
                onSubmit={(body) => comment(body, requirement.id)}
              />
            ) : null}
          </article>
        ))}
      </section>

      <section>
        <h2>General comments</h2>
        <CommentThread comments={general} />
        {canComment(session) ? (
          <CommentForm placeholder="Comment on the whole version" onSubmit={(body) => comment(body)} />
        ) : null}
      </section>
      <section>
        <h2>Collector keys</h2>
        <p className="muted">Evidence for this ToE must be signed by one of these keys.</p>
        <ul className="plain">
          {(data.document.collectorKeys ?? []).map((key, index) => (
            <li key={index}>
              <Mono>{key.kid ?? key.x ?? JSON.stringify(key)}</Mono>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
