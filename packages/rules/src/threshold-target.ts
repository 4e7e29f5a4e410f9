import { membershipOperators, orderingOperators, type ComparisonOperator, type TargetScalar } from './operators.ts';
import { describeValue, typeOfValue } from './describe-value.ts';

export type ThresholdTarget = TargetScalar | TargetScalar[];

export interface TargetProblem {
  path: (string | number)[];
  message: string;
}

const MAX_LIST = 1000;

/** Checks that a threshold target has the shape and types its operator needs; NaN and Infinity are never valid. */
export function describeTargetProblems(operator: ComparisonOperator, target: unknown): TargetProblem[] {
  if (target === undefined) return [{ path: [], message: 'target is required' }];

  if (membershipOperators.has(operator)) {
    if (!Array.isArray(target))
      return [{ path: [], message: `operator ${operator} needs a list target, got ${typeOfValue(target)}` }];
    if (target.length === 0 || target.length > MAX_LIST) {
      return [{ path: [], message: `operator ${operator} needs a list of 1 to ${MAX_LIST} values` }];
    }
    return target.flatMap((item, index) => scalarProblems(item).map((message) => ({ path: [index], message })));
  }
  if (Array.isArray(target))
    return [{ path: [], message: `operator ${operator} needs a single value; lists go with in / not_in` }];

  const problems = scalarProblems(target);
  if (problems.length > 0) return problems.map((message) => ({ path: [], message }));
  if (orderingOperators.has(operator) && typeof target !== 'number') {
    return [
      {
        path: [],
        message: `operator ${operator} needs a number target, got ${typeOfValue(target)} ${describeValue(target)}`,
      },
    ];
  }
  return [];
}

function scalarProblems(value: unknown): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`target must be a finite number, got ${value}`];
  if (typeof value === 'string') return value.length <= 1024 ? [] : ['a target string is at most 1024 characters'];
  if (typeof value === 'boolean') return [];
  return [`target values are numbers, strings or booleans, got ${typeOfValue(value)}`];
}
