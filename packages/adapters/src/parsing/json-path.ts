export type PathSegment = string | number;

const identifier = /^[A-Za-z_$][\w$]*$/;

/** Appends one segment to a path written like `metrics[3].result` (`["odd key"]` for keys that are not identifiers). */
export function childPath(base: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  if (!identifier.test(segment)) return `${base}[${JSON.stringify(segment)}]`;
  return base === '' ? segment : `${base}.${segment}`;
}

/** Symbols (possible in zod issue paths) are written by their description. */
export function formatPath(segments: readonly (PathSegment | symbol)[]): string {
  return segments.reduce<string>(
    (path, segment) => childPath(path, typeof segment === 'symbol' ? String(segment.description) : segment),
    '',
  );
}
