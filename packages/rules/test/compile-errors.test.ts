import { describe, expect, it } from 'vitest';
import { RuleCompileError, compileRule } from '../src/index.ts';
import { compileIssues } from './fixtures.ts';

const selector = { kind: 'performance', metric: 'accuracy' };
const threshold = { type: 'threshold', selector, operator: '>=', target: 0.9 };
const expression = (text: string, kinds: string[] = ['performance']) => ({
  type: 'expression',
  expression: text,
  kinds,
});
const fields = (rule: unknown) => compileIssues(rule).map((issue) => issue.field);

describe('compileRule refuses a bad rule and names the field', () => {
  it('throws RuleCompileError carrying the issues', () => {
    expect(() => compileRule({ type: 'nope' })).toThrow(RuleCompileError);
  });

  it.each([
    ['unknown type', { type: 'nope' }, 'rule.type'],
    ['missing type', {}, 'rule.type'],
    ['not an object', 42, 'rule'],
    ['unknown operator', { ...threshold, operator: '=>' }, 'rule.operator'],
    ['unknown field', { ...threshold, unit: '%' }, 'rule.unit'],
    ['unknown selector field', { ...threshold, selector: { ...selector, metrc: 'x' } }, 'rule.selector.metrc'],
    ['missing metric', { ...threshold, selector: { kind: 'performance' } }, 'rule.selector.metric'],
    ['unknown evidence kind', { ...threshold, selector: { ...selector, kind: 'vibes' } }, 'rule.selector.kind'],
    ['ordering operator with a string target', { ...threshold, target: '0.9' }, 'rule.target'],
    ['ordering operator with a boolean target', { ...threshold, operator: '<', target: true }, 'rule.target'],
    ['NaN target', { ...threshold, target: Number.NaN }, 'rule.target'],
    ['Infinity target', { ...threshold, target: Number.POSITIVE_INFINITY }, 'rule.target'],
    ['missing target', { type: 'threshold', selector, operator: '>=' }, 'rule.target'],
    ['list target for ==', { ...threshold, operator: '==', target: [1] }, 'rule.target'],
    ['object target for ==', { ...threshold, operator: '==', target: { a: 1 } }, 'rule.target'],
    ['scalar target for in', { ...threshold, operator: 'in', target: 1 }, 'rule.target'],
    ['empty list for not_in', { ...threshold, operator: 'not_in', target: [] }, 'rule.target'],
    ['NaN inside an in list', { ...threshold, operator: 'in', target: [1, Number.NaN] }, 'rule.target.1'],
    ['null inside an in list', { ...threshold, operator: 'in', target: ['a', null] }, 'rule.target.1'],
    ['expression is not a string', { type: 'expression', expression: 1, kinds: ['performance'] }, 'rule.expression'],
    ['expression without kinds', { type: 'expression', expression: 'true' }, 'rule.kinds'],
    [
      'checks with a non-boolean allowWarnings',
      { type: 'checks', kind: 'data_quality', allowWarnings: 'yes' },
      'rule.allowWarnings',
    ],
    ['freshness with an unparsable maxAge', { type: 'freshness', kind: 'performance', maxAge: 'soon' }, 'rule.maxAge'],
    ['freshness in months', { type: 'freshness', kind: 'performance', maxAge: 'P1M' }, 'rule.maxAge'],
    ['freshness of zero', { type: 'freshness', kind: 'performance', maxAge: 'PT0S' }, 'rule.maxAge'],
    ['presence that asks for nothing', { type: 'presence' }, 'rule.kinds'],
    ['presence with an empty field list', { type: 'presence', modelCardFields: [] }, 'rule.modelCardFields'],
    ['provenance with an unknown kind', { type: 'provenance', kinds: ['performance', 'vibes'] }, 'rule.kinds.1'],
    [
      'trend with an unknown method',
      { type: 'trend', selector, direction: 'decrease_is_bad', method: 'arima' },
      'rule.method',
    ],
    [
      'trend with alpha above 1',
      { type: 'trend', selector, direction: 'decrease_is_bad', method: 'ewma', alpha: 1.5 },
      'rule.alpha',
    ],
    [
      'trend with NaN k',
      { type: 'trend', selector, direction: 'decrease_is_bad', method: 'ewma', k: Number.NaN },
      'rule.k',
    ],
    [
      'trend with alpha on cusum',
      { type: 'trend', selector, direction: 'decrease_is_bad', method: 'cusum', alpha: 0.3 },
      'rule.alpha',
    ],
    [
      'trend with threshold on ewma',
      { type: 'trend', selector, direction: 'increase_is_bad', method: 'ewma', threshold: 4 },
      'rule.threshold',
    ],
    [
      'trend with a fractional minHistory',
      { type: 'trend', selector, direction: 'decrease_is_bad', method: 'cusum', minHistory: 4.5 },
      'rule.minHistory',
    ],
    ['drift share above 1', { type: 'drift', maxDriftShare: 1.2 }, 'rule.maxDriftShare'],
    ['drift of another kind', { type: 'drift', kind: 'performance' }, 'rule.kind'],
    ['drift that checks nothing', { type: 'drift', failOnDatasetDrift: false }, 'rule.failOnDatasetDrift'],
  ])('%s → %s', (_label, rule, field) => {
    expect(fields(rule)).toContain(field);
  });

  it('lists every problem of a threshold at once', () => {
    expect(fields({ type: 'threshold', selector: { kind: 'performance' }, operator: '>=', target: 'high' })).toEqual([
      'rule.selector.metric',
      'rule.target',
    ]);
  });

  it('says what is wrong with a target', () => {
    expect(compileIssues({ ...threshold, target: Number.NaN })[0]?.message).toContain('finite number');
    expect(compileIssues({ ...threshold, target: '0.9' })[0]?.message).toContain('needs a number target');
  });

  it('prefixes fields as asked', () => {
    try {
      compileRule({ ...threshold, target: 'x' }, { fieldPrefix: 'requirements.2.rule' });
      expect.unreachable();
    } catch (error) {
      expect((error as RuleCompileError).issues.map((issue) => issue.field)).toEqual(['requirements.2.rule.target']);
    }
  });
});

describe('CEL expressions are checked when the rule is compiled', () => {
  it.each([
    ['a syntax error', 'latest.performance.metrics.accuracy >', 'rule.expression', 'syntax'],
    ['an unknown variable', 'accuracy > 0.9', 'rule.expression', "undeclared reference to 'accuracy'"],
    ['an unknown function', 'avg(history.performance) > 0.9', 'rule.expression', "undeclared function 'avg'"],
    ['a misspelt evidence field', 'latest.performance.metricz.accuracy > 0.9', 'rule.expression', "no field 'metricz'"],
    [
      'a kind that does not exist',
      'latest.perf.metrics.accuracy > 0.9',
      'rule.expression',
      "'perf' is not an evidence kind",
    ],
    ['a kind missing from kinds', 'latest.fairness.metrics.gap < 0.1', 'rule.kinds', "kinds must list 'fairness'"],
    [
      'a timestamp compared with a number',
      'latest.performance.observedAt > 5',
      'rule.expression',
      "no matching overload for '>'",
    ],
    [
      'a string compared with a number',
      'latest.performance.context.dataset > 1',
      'rule.expression',
      'applied to (string, int)',
    ],
    [
      'a non-bool result',
      'latest.performance.measurements.size()',
      'rule.expression',
      'must return bool, but returns int',
    ],
    ['a result only known at run time', 'latest.performance.metrics.accuracy', 'rule.expression', 'returns dyn'],
    ['a non-bool operand of &&', 'latest.performance.id && true', 'rule.expression', 'must be bool'],
    ['iterating over a number', '(1).all(x, x > 0)', 'rule.expression', 'cannot iterate over int'],
  ])('%s', (_label, text, field, message) => {
    const issues = compileIssues(expression(text));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe(field);
    expect(issues[0]?.message).toContain(message);
  });

  it.each([
    'latest.performance.metrics.accuracy >= 0.9',
    'latest.performance.metrics.accuracy >= 1',
    '"accuracy" in latest.performance.metrics && latest.performance.metrics.accuracy > 0.5',
    'latest.performance.checks.all(c, c.status == "pass")',
    'latest.performance.measurements.exists(m, m.name == "accuracy" && m.slice == "female" && m.value >= 0.8)',
    'history.performance.size() >= 2 && history.performance[0].metrics.accuracy >= history.performance[1].metrics.accuracy',
    'now - latest.performance.observedAt < duration("720h")',
    'latest.performance.producer.tool.lowerAscii().startsWith("mlflow")',
    'latest["performance"].subjects.exists(s, s.sha256.size() == 64)',
    'type(latest.performance.metrics.accuracy) == double',
  ])('accepts %s', (text) => {
    expect(() => compileRule(expression(text))).not.toThrow();
  });
});
