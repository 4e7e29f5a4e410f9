import { z } from 'zod';

/** The largest value of a Postgres `integer` column: counters, versions and sequences stored as such are bounded. */
export const INT32_MAX = 2_147_483_647;

/** A positive integer that fits a Postgres `integer` column. */
export const int32Positive = () => z.number().int().positive().max(INT32_MAX);

/**
 * Why a string cannot be stored as text: Postgres `text` and `jsonb` refuse U+0000, and a lone UTF-16 surrogate has
 * no UTF-8 encoding (it would be replaced, so the stored text would not be what was signed). Undefined when it can.
 */
export function unstorableTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (!text.isWellFormed()) return 'contains a lone UTF-16 surrogate';
  return undefined;
}

export interface UnstorableText {
  /** Dotted path of the string (or member name) in the value, '' for the value itself. */
  path: string;
  message: string;
}

/** The first string or member name in a JSON value that cannot be stored as text, depth-first; undefined if none. */
export function findUnstorableText(value: unknown, path = ''): UnstorableText | undefined {
  if (typeof value === 'string') {
    const reason = unstorableTextReason(value);
    return reason ? { path, message: reason } : undefined;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, path ? `${path}.${index}` : String(index));
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const reason = unstorableTextReason(key);
      if (reason) return { path: at, message: `member name ${reason}` };
      const found = findUnstorableText(item, at);
      if (found) return found;
    }
  }
  return undefined;
}
