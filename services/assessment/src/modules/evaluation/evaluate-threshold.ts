import type { EvidencePredicate, RequirementStatus } from '@cabc/contracts';
import type { Requirement } from './requirements.ts';

export interface RuleOutcome {
  status: RequirementStatus;
  reason: string;
  details: { property: string; value: unknown; operator: string; target: unknown; success: boolean }[];
  evidenceIds: string[];
}

const compare: Record<Requirement['rule']['operator'], (value: number, target: number) => boolean> = {
  '<': (value, target) => value < target,
  '<=': (value, target) => value <= target,
  '>': (value, target) => value > target,
  '>=': (value, target) => value >= target,
  '==': (value, target) => value === target,
  '!=': (value, target) => value !== target,
};

/** A threshold rule against the newest evidence of its kind. Missing or non-numeric values are `error`, never a pass. */
export function evaluateThreshold(
  requirement: Requirement,
  newest: { id: string; predicate: EvidencePredicate } | undefined,
): RuleOutcome {
  const { selector, operator, target } = requirement.rule;
  if (!newest) return { status: 'pending', reason: `no ${selector.kind} evidence yet`, details: [], evidenceIds: [] };
  const measurement = newest.predicate.measurements.find((candidate) => candidate.name === selector.metric);
  if (!measurement) {
    return {
      status: 'error',
      reason: `the newest ${selector.kind} evidence has no measurement "${selector.metric}"`,
      details: [],
      evidenceIds: [newest.id],
    };
  }
  const value = measurement.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return {
      status: 'error',
      reason: `measurement "${selector.metric}" is ${JSON.stringify(value)}, not a finite number`,
      details: [{ property: selector.metric, value, operator, target, success: false }],
      evidenceIds: [newest.id],
    };
  }
  const success = compare[operator](value, target);
  return {
    status: success ? 'compliant' : 'non_compliant',
    reason: `${selector.metric} = ${value} ${success ? 'satisfies' : 'violates'} ${operator} ${target}`,
    details: [{ property: selector.metric, value, operator, target, success }],
    evidenceIds: [newest.id],
  };
}
