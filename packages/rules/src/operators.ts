import type { DetailScalar } from './evaluation-types.ts';
import { describeValue, typeOfValue } from './describe-value.ts';

export const comparisonOperators = ['<', '<=', '>', '>=', '==', '!=', 'in', 'not_in'] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

export function isComparisonOperator(value: unknown): value is ComparisonOperator {
  return (comparisonOperators as readonly unknown[]).includes(value);
}

export const orderingOperators: ReadonlySet<ComparisonOperator> = new Set(['<', '<=', '>', '>=']);
export const membershipOperators: ReadonlySet<ComparisonOperator> = new Set(['in', 'not_in']);

export type TargetScalar = number | string | boolean;

export type Comparison = { success: boolean } | { error: string };

/**
 * Applies an operator to a measured value. Types are never coerced: a string is not a number, `1` is not `"1"`,
 * and a value whose type the target cannot be compared with is an error, not a failed comparison.
 */
export function compare(
  operator: ComparisonOperator,
  value: DetailScalar,
  target: TargetScalar | readonly TargetScalar[],
): Comparison {
  if (typeof value === 'number' && !Number.isFinite(value)) return { error: `the value is ${value}` };
  if (value === null) return { error: 'the value is null' };

  if (Array.isArray(target)) {
    if (!target.some((item) => typeof item === typeof value)) {
      return {
        error: `type mismatch: ${typeOfValue(value)} ${describeValue(value)} cannot be a member of ${describeValue(target)}`,
      };
    }
    const member = target.includes(value);
    return { success: operator === 'in' ? member : !member };
  }
  if (typeof value !== typeof target) {
    return {
      error: `type mismatch: ${typeOfValue(value)} ${describeValue(value)} compared with ${typeOfValue(target)} ${describeValue(target)}`,
    };
  }
  switch (operator) {
    case '<':
      return { success: value < target };
    case '<=':
      return { success: value <= target };
    case '>':
      return { success: value > target };
    case '>=':
      return { success: value >= target };
    case '==':
      return { success: value === target };
    case '!=':
      return { success: value !== target };
    default:
      return { error: `operator ${operator} needs a list target` };
  }
}
