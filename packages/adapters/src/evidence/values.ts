export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordOf(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Non-empty text from a string, or from a number or boolean written as text. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Non-empty texts from a list, or from a single value. */
export function textsOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map(textOf).filter((text): text is string => text !== undefined);
}

export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

/** Key/value pairs from either `[{key, value}]` (MLflow REST, AVID) or a plain `{key: value}` object. */
export function keyValuePairs(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) {
    return value.flatMap((item): [string, unknown][] => {
      const key = isRecord(item) ? textOf(item.key) : undefined;
      return isRecord(item) && key !== undefined ? [[key, item.value]] : [];
    });
  }
  return isRecord(value) ? Object.entries(value) : [];
}
