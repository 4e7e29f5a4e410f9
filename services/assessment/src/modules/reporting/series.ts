import type { ScopeRequirement } from '../scopes/scope-document.schema.ts';

export interface SeriesSelector {
  kind: string;
  metric: string;
  dataset?: string | undefined;
  split?: string | undefined;
  slice?: string | undefined;
}

/** A line on a metric's chart: the target a requirement's threshold rule compares the metric with. */
export interface Threshold {
  requirementId: string;
  title: string;
  severity: string;
  critical: boolean;
  selector: SeriesSelector;
  operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  target: number;
}

/** Numeric threshold rules of the given requirements (trend and expression rules have no line to draw). */
export function thresholdsOf(requirements: readonly ScopeRequirement[]): Threshold[] {
  const lines: Threshold[] = [];
  for (const requirement of requirements) {
    const rule = requirement.rule as {
      type?: string;
      selector?: Omit<SeriesSelector, 'metric'> & { metric: string | string[] };
      operator?: string;
      target?: unknown;
    };
    if (rule?.type !== 'threshold' || !rule.selector || typeof rule.target !== 'number') continue;
    if (!['<', '<=', '>', '>=', '==', '!='].includes(rule.operator ?? '')) continue;
    lines.push({
      requirementId: requirement.id,
      title: requirement.title,
      severity: requirement.severity,
      critical: requirement.critical,
      selector: {
        kind: rule.selector.kind,
        // A selector accepting several names charts the first (the preferred) one.
        metric: Array.isArray(rule.selector.metric) ? rule.selector.metric[0]! : rule.selector.metric,
        ...(rule.selector.dataset !== undefined ? { dataset: rule.selector.dataset } : {}),
        ...(rule.selector.split !== undefined ? { split: rule.selector.split } : {}),
        ...(rule.selector.slice !== undefined ? { slice: rule.selector.slice } : {}),
      },
      operator: rule.operator as Threshold['operator'],
      target: rule.target,
    });
  }
  return lines;
}

export const sameSelector = (a: SeriesSelector, b: SeriesSelector) =>
  a.kind === b.kind &&
  a.metric === b.metric &&
  (a.dataset ?? null) === (b.dataset ?? null) &&
  (a.split ?? null) === (b.split ?? null) &&
  (a.slice ?? null) === (b.slice ?? null);

/** Whether a value passes a threshold (the chart colours failing points). */
export function passes(threshold: Pick<Threshold, 'operator' | 'target'>, value: number): boolean {
  switch (threshold.operator) {
    case '<':
      return value < threshold.target;
    case '<=':
      return value <= threshold.target;
    case '>':
      return value > threshold.target;
    case '>=':
      return value >= threshold.target;
    case '==':
      return value === threshold.target;
    case '!=':
      return value !== threshold.target;
  }
}
