export const STATUS_COLOURS: Record<string, string> = {
  compliant: 'var(--ok)',
  non_compliant: 'var(--bad)',
  pending: 'var(--muted)',
  error: 'var(--warn-strong)',
  good: 'var(--ok)',
  issued: 'var(--ok)',
  suspended: 'var(--warn)',
  revoked: 'var(--bad)',
  expired: 'var(--muted)',
  withdrawn: 'var(--muted)',
  unknown: 'var(--muted)',
  none: 'var(--muted)',
  verified: 'var(--ok)',
  key_not_in_scope: 'var(--warn)',
  failed: 'var(--bad)',
  approved: 'var(--ok)',
  submitted: 'var(--accent)',
  draft: 'var(--muted)',
  changes_requested: 'var(--warn)',
  rejected: 'var(--bad)',
  superseded: 'var(--muted)',
  open: 'var(--warn-strong)',
  confirmed: 'var(--bad)',
  dismissed: 'var(--muted)',
};

export const label = (status: string) => status.replaceAll('_', ' ');

export function dateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}Z`;
}

export function relative(value: string | null | undefined, now = Date.now()): string {
  if (!value) return 'never';
  const seconds = Math.round((now - Date.parse(value)) / 1000);
  const abs = Math.abs(seconds);
  const unit =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'min']
        : abs < 86400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86400), 'd'];
  return seconds >= 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

export const shortId = (id: string, length = 8) => id.slice(0, length);

export function formatValue(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function decodeJwt(token: string): { header: unknown; claims: unknown } | undefined {
  try {
    const [header, claims] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))));
    return { header, claims };
  } catch {
    return undefined;
  }
}
