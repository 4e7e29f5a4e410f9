import { AdapterError } from '../adapter-error.ts';
import { formatPath, type PathSegment } from './json-path.ts';

export const DEFAULT_MAX_DEPTH = 64;

/** Keys that can reach an object's prototype when code later assigns or merges the parsed data. */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

export function assertAllowedKey(key: string, parentPath: readonly PathSegment[]): void {
  if (forbiddenKeys.has(key)) {
    const field = formatPath([...parentPath, key]);
    throw new AdapterError('forbidden_key', `the key "${key}" is not allowed (at ${field})`, { field });
  }
}

export function tooDeep(maxDepth: number, path: readonly PathSegment[]): AdapterError {
  const field = formatPath(path) || undefined;
  return new AdapterError('too_deep', `nesting deeper than ${maxDepth} levels${field ? ` (at ${field})` : ''}`, {
    field,
  });
}

/** Enforces the depth limit and the forbidden keys on an already-built value (used for YAML). */
export function assertSafeTree(value: unknown, maxDepth: number): void {
  walk(value, 0, [], maxDepth);
}

function walk(value: unknown, depth: number, path: PathSegment[], maxDepth: number): void {
  if (value === null || typeof value !== 'object') return;
  if (depth + 1 > maxDepth) throw tooDeep(maxDepth, path);
  const entries: [PathSegment, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.keys(value).map((key) => {
        assertAllowedKey(key, path);
        return [key, (value as Record<string, unknown>)[key]];
      });
  for (const [segment, item] of entries) {
    path.push(segment);
    walk(item, depth + 1, path, maxDepth);
    path.pop();
  }
}
