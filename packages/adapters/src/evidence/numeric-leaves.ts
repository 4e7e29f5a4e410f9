import { isRecord } from './values.ts';

export interface NumericLeaf {
  /** Dotted path below the starting object, '' for a bare number. */
  path: string;
  value: number | boolean;
}

export interface NumericLeafOptions {
  maxDepth?: number;
  limit?: number;
  skipKeys?: readonly string[];
}

/**
 * Numbers and booleans found in nested objects (arrays are skipped: they hold distributions and samples, not
 * measurements). Bounded so that one bulky tool result cannot flood the evidence.
 */
export function numericLeaves(value: unknown, options: NumericLeafOptions = {}): NumericLeaf[] {
  const { maxDepth = 3, limit = 200, skipKeys = [] } = options;
  const leaves: NumericLeaf[] = [];
  const visit = (node: unknown, path: string, depth: number): void => {
    if (leaves.length >= limit) return;
    if ((typeof node === 'number' && Number.isFinite(node)) || typeof node === 'boolean') {
      leaves.push({ path, value: node });
      return;
    }
    if (!isRecord(node) || depth >= maxDepth) return;
    for (const [key, child] of Object.entries(node)) {
      if (!skipKeys.includes(key)) visit(child, path === '' ? key : `${path}.${key}`, depth + 1);
    }
  };
  visit(value, '', 0);
  return leaves;
}
