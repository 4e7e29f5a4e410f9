export interface MetricIdentity {
  name: string;
  params: Record<string, string>;
}

/** Splits Evidently 0.7's explicit metric id, e.g. `ValueDrift(column=year,method=psi)`, into name and params. */
export function parseMetricId(text: string): MetricIdentity {
  const match = /^([^(]+)\(([\s\S]*)\)$/.exec(text.trim());
  if (!match?.[1]) return { name: text.trim(), params: {} };
  // Keys come from file content, so the map has no prototype to collide with.
  const params: Record<string, string> = Object.create(null);
  // List-valued params are joined with bare commas, so only a comma followed by `name=` starts a new param.
  for (const part of (match[2] ?? '').split(/,(?=[A-Za-z_]\w*=)/)) {
    const equals = part.indexOf('=');
    if (equals > 0) params[part.slice(0, equals)] = part.slice(equals + 1);
  }
  return { name: match[1].trim(), params };
}
