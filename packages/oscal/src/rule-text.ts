import { parseDuration } from '@cabc/contracts';
import { affectedKinds, ruleSchema, type Rule } from '@cabc/rules';

/** A scope rule read back: typed when it is one of @cabc/rules' rules, else only its JSON. */
export interface RuleView {
  rule: Rule | undefined;
  type: string;
  json: string;
  /** The evidence kinds whose arrival re-evaluates it. */
  kinds: string[];
  /** The rule in words, e.g. `accuracy of the newest performance evidence >= 0.9`. */
  text: string;
  /** Its parameters, for OSCAL params: metric, operator, target, ... */
  parameters: { name: string; label: string; value: string }[];
}

const value = (target: unknown) => (typeof target === 'string' ? target : JSON.stringify(target));

function selectorText(selector: {
  kind: string;
  metric: string | string[];
  dataset?: string;
  split?: string;
  slice?: string;
}) {
  const where = [selector.dataset, selector.split, selector.slice].filter((part) => part !== undefined).join('/');
  const metric = Array.isArray(selector.metric) ? selector.metric.join(' or ') : selector.metric;
  return `${metric}${where ? ` [${where}]` : ''} of the newest ${selector.kind} evidence`;
}

function describe(rule: Rule): string {
  switch (rule.type) {
    case 'threshold':
      return `${selectorText(rule.selector)} ${rule.operator} ${value(rule.target)}`;
    case 'trend':
      return (
        `no significant ${rule.direction === 'decrease_is_bad' ? 'drop' : 'rise'} of ${rule.selector.metric} ` +
        `(${rule.selector.kind} evidence) against its ${rule.method.toUpperCase()} baseline` +
        `${rule.k !== undefined ? `, k = ${rule.k}` : ''}`
      );
    case 'checks':
      return `the checks of the newest ${rule.kind} evidence pass${rule.allowWarnings ? ' (warnings allowed)' : ''}${
        rule.names ? `: ${rule.names.join(', ')}` : ''
      }`;
    case 'freshness':
      return `${rule.kind} evidence is at most ${rule.maxAge} old`;
    case 'presence':
      return [
        rule.kinds ? `evidence of kind ${rule.kinds.join(', ')} is present` : undefined,
        rule.modelCardFields ? `the model card fills ${rule.modelCardFields.join(', ')}` : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(' and ');
    case 'provenance':
      return `${rule.kinds ? rule.kinds.join(', ') : 'all'} evidence is about the certified model and data artifacts`;
    case 'drift':
      return [
        rule.maxDriftShare !== undefined ? `at most ${rule.maxDriftShare * 100}% of the features drift` : undefined,
        rule.failOnDatasetDrift !== false ? 'no dataset drift is detected' : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(' and ');
    case 'expression':
      return `the CEL expression ${rule.expression} holds (reads ${rule.kinds.join(', ')})`;
  }
}

function parametersOf(rule: Rule): RuleView['parameters'] {
  const entries: [string, string, unknown][] = [];
  switch (rule.type) {
    case 'threshold':
      entries.push(['metric', 'Metric', rule.selector.metric], ['operator', 'Operator', rule.operator]);
      entries.push(['target', 'Target', rule.target]);
      break;
    case 'trend':
      entries.push(['metric', 'Metric', rule.selector.metric], ['method', 'Method', rule.method]);
      if (rule.k !== undefined) entries.push(['k', 'Standard deviations', rule.k]);
      break;
    case 'freshness':
      entries.push(['max-age', 'Maximum age', rule.maxAge]);
      break;
    case 'drift':
      if (rule.maxDriftShare !== undefined)
        entries.push(['max-drift-share', 'Largest drifting share', rule.maxDriftShare]);
      break;
    case 'presence':
      if (rule.modelCardFields)
        entries.push(['model-card-fields', 'Model card fields', rule.modelCardFields.join(', ')]);
      break;
    default:
      break;
  }
  return entries.map(([name, label, entry]) => ({ name, label, value: value(entry) }));
}

export function viewRule(rule: unknown): RuleView {
  const parsed = ruleSchema.safeParse(rule);
  const json = JSON.stringify(rule) ?? 'null';
  if (!parsed.success) {
    const type =
      typeof (rule as { type?: unknown } | null)?.type === 'string'
        ? String((rule as { type: string }).type)
        : 'unknown';
    return { rule: undefined, type, json, kinds: [], text: `rule ${json}`, parameters: [] };
  }
  return {
    rule: parsed.data,
    type: parsed.data.type,
    json,
    kinds: [...affectedKinds(parsed.data)],
    text: describe(parsed.data),
    parameters: parametersOf(parsed.data),
  };
}

/** A duration in milliseconds, or undefined when absent or not one. */
export function durationMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const parsed = parseDuration(text);
  return 'ms' in parsed ? parsed.ms : undefined;
}

const units: [string, number][] = [
  ['days', 86_400_000],
  ['hours', 3_600_000],
  ['minutes', 60_000],
  ['seconds', 1000],
];

/** OSCAL `at-frequency` of a duration: the largest unit that divides it (P1D → 1 days, PT90M → 90 minutes). */
export function atFrequency(ms: number): { period: number; unit: string } {
  for (const [unit, size] of units) if (ms % size === 0) return { period: ms / size, unit };
  return { period: Math.max(1, Math.round(ms / 1000)), unit: 'seconds' };
}
