import { LedgerRangeError, type LedgerRangeField } from './errors.ts';

/** Rejects values that cannot be a leaf count or index: non-integers, negatives, beyond 2^53 - 1. */
export function assertCount(value: number, field: LedgerRangeField): void {
  if (!Number.isInteger(value)) throw new TypeError(`${field} must be an integer, got ${value}`);
  if (value < 0) throw new LedgerRangeError(field, value, '>=', 0, 'zero');
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new LedgerRangeError(field, value, '<=', Number.MAX_SAFE_INTEGER, 'the largest safe integer');
  }
}

/** When the caller knows the log's current size, a requested size beyond it is a range error, not a read failure. */
export function assertWithinTree(value: number, field: LedgerRangeField, treeSize: number | undefined): void {
  if (treeSize !== undefined && value > treeSize) {
    throw new LedgerRangeError(field, value, '<=', treeSize, "the log's current size");
  }
}

export function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
