import type { ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';
import { label, STATUS_COLOURS } from '../lib/format.ts';

export function Badge({ status, title, large }: { status: string; title?: string; large?: boolean }) {
  return (
    <span
      className={`badge${large ? ' badge-large' : ''}`}
      style={{ background: STATUS_COLOURS[status] ?? 'var(--muted)' }}
      title={title ?? label(status)}
      data-status={status}
    >
      {label(status)}
    </span>
  );
}

export function StatusBar({
  counts,
}: {
  counts: { total: number; compliant: number; non_compliant: number; pending: number; error: number };
}) {
  if (counts.total === 0) return <span className="muted">no approved requirements</span>;
  const parts = (['compliant', 'non_compliant', 'error', 'pending'] as const).filter((key) => counts[key] > 0);
  return (
    <div className="status-bar" title={parts.map((key) => `${counts[key]} ${label(key)}`).join(', ')}>
      <div className="status-bar-track">
        {parts.map((key) => (
          <span key={key} style={{ flex: counts[key], background: STATUS_COLOURS[key] }} />
        ))}
      </div>
      <span className="status-bar-text">
        {counts.compliant}/{counts.total}
      </span>
    </div>
  );
}

export function ErrorPanel({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 404) return <NotFoundPanel />;
  const detail =
    error instanceof ApiError
      ? (error.problem.detail ?? error.problem.title ?? `HTTP ${error.status}`)
      : String((error as Error).message ?? error);
  return (
    <div className="panel panel-error" role="alert">
      {detail}
    </div>
  );
}

export function NotFoundPanel() {
  return (
    <div className="panel not-found" role="alert">
      <h2>Not found</h2>
      <p className="muted">
        There is nothing here for your organization: the address is wrong, or it belongs to someone else.
      </p>
      <a href="/">Back to the overview</a>
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  return <div className="loading muted">Loading{what ? ` ${what}` : ''}…</div>;
}

export function Tile({
  label: title,
  value,
  hint,
  tone,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: string;
}) {
  return (
    <div className="tile" style={tone ? { borderTopColor: tone } : undefined}>
      <div className="tile-label">{title}</div>
      <div className="tile-value">{value}</div>
      {hint ? <div className="tile-hint muted">{hint}</div> : null}
    </div>
  );
}

export function Mono({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <code className="mono" title={title}>
      {children}
    </code>
  );
}
