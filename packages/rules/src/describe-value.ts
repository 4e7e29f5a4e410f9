/** A short, human-readable rendering of a value for reasons and error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value))
    return `[${value.slice(0, 10).map(describeValue).join(', ')}${value.length > 10 ? ', ...' : ''}]`;
  return typeof value;
}

/** The type name used in messages: `NaN` and `Infinity` are called out because they pass `typeof x === 'number'`. */
export function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}
