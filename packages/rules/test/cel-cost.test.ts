import { describe, expect, it } from 'vitest';
import { compileRule, DEFAULT_CEL_COST_LIMIT, RuleCompileError, evaluate } from '../src/index.ts';
import { contextOf, evidence, hoursAgo, metric } from './fixtures.ts';

const rule = (expression: string, kinds: string[] = ['performance']) => ({ type: 'expression', expression, kinds });

function compileIssues(expression: string, options: { celCostLimit?: number } = {}) {
  try {
    compileRule(rule(expression), { fieldPrefix: 'requirements.0.rule', ...options });
    return [];
  } catch (error) {
    if (!(error instanceof RuleCompileError)) throw error;
    return error.issues;
  }
}

// Every history element crossed with every other, twice, and then every measurement: 50 * 50 * 50 * 1000 steps.
const cubic =
  'history.performance.all(a, history.performance.all(b, history.performance.all(c, ' +
  'a.measurements.all(m, m.value != b.metrics.accuracy || c.checks.size() > 0))))';

describe('CEL cost limits', () => {
  it('refuses an expression whose static estimate is over the limit, naming the field and the estimate', () => {
    const [issue, ...rest] = compileIssues(cubic);
    expect(rest).toEqual([]);
    expect(issue?.field).toBe('requirements.0.rule.expression');
    const estimate = Number(/estimated cost is (\d+)/.exec(issue?.message ?? '')?.[1]);
    expect(estimate).toBeGreaterThan(DEFAULT_CEL_COST_LIMIT);
    expect(issue?.message).toContain(`limit of ${DEFAULT_CEL_COST_LIMIT}`);
  });

  it('accepts the expressions rules are written with, and a loop over history and measurements', () => {
    expect(compileIssues('latest.performance.metrics.accuracy >= 0.93')).toEqual([]);
    expect(compileIssues('history.performance.all(e, e.measurements.exists(m, m.name == "acc"))')).toEqual([]);
    expect(compileIssues('latest.performance.checks.all(c, c.status == "pass")')).toEqual([]);
  });

  it('multiplies nested loops, counts list literals and a configurable limit', () => {
    const single = 'latest.performance.measurements.all(m, m.value != 0)';
    const nested = 'latest.performance.measurements.all(m, latest.performance.measurements.all(n, n.value != m.value))';
    expect(compileIssues(single, { celCostLimit: 100_000 })).toEqual([]);
    expect(compileIssues(nested, { celCostLimit: 100_000 })).toHaveLength(1);
    expect(compileIssues('[1, 2, 3].all(x, [1, 2, 3].all(y, x != y || x == y))', { celCostLimit: 200 })).toEqual([]);
    expect(compileIssues('"abc".split("").all(x, x != "")', { celCostLimit: 20 })).toHaveLength(1);
  });

  it('sees through dyn(), the conditional and list concatenation: each keeps the size of the list it passes on', () => {
    const loops = (wrap: (list: string) => string) =>
      `${wrap('history.performance')}.all(a, ${wrap('history.performance')}.all(b, ${wrap('history.performance')}.all(c, ` +
      `${wrap('a.measurements')}.all(m, m.value >= 0))))`;
    for (const expression of [
      loops((list) => `dyn(${list})`),
      loops((list) => `(true ? ${list} : [])`),
      loops((list) => `(false ? [] : ${list})`),
      loops((list) => `([] + ${list})`),
    ]) {
      const [issue] = compileIssues(expression);
      expect(issue?.field, expression).toBe('requirements.0.rule.expression');
      expect(issue?.message).toMatch(/estimated cost is \d+, over the limit/);
    }
    expect(compileIssues('m.name in ["a"]'.replace('m.name', 'latest.performance.producer.tool'))).toEqual([]);
  });

  it('stops an evaluation that runs past its step budget with an error, never a pass', () => {
    const records = Array.from({ length: 20 }, (_, index) =>
      evidence({
        id: `e${index}`,
        observedAt: hoursAgo(index + 1),
        measurements: Array.from({ length: 50 }, (_, m) => metric(`m${m}`, m)),
      }),
    );
    const text = 'history.performance.all(a, history.performance.all(b, a.measurements.all(m, m.value >= 0)))';
    const generous = compileRule(rule(text), {
      celCostLimit: Number.POSITIVE_INFINITY,
      celBudget: { steps: 100_000, timeMs: 60_000 },
    });
    const passed = evaluate(generous, contextOf(records));
    expect(passed.reason).not.toContain('budget');
    expect(passed.status).toBe('compliant');
    const tight = compileRule(rule(text), {
      celCostLimit: Number.POSITIVE_INFINITY,
      celBudget: { steps: 1000, timeMs: 60_000 },
    });
    const result = evaluate(tight, contextOf(records));
    expect(result.status).toBe('error');
    expect(result.reason).toContain('runtime budget (more than 1000 steps)');
  });
});
