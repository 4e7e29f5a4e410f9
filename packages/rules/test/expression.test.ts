import { describe, expect, it } from 'vitest';
import { evidence, hoursAgo, metric, run } from './fixtures.ts';

const rule = (expression: string, kinds: string[] = ['performance']) => ({ type: 'expression', expression, kinds });

describe('expression rules', () => {
  const older = evidence({ id: 'old', observedAt: hoursAgo(30), measurements: [metric('accuracy', 0.97)] });
  const newer = evidence({
    id: 'new',
    observedAt: hoursAgo(2),
    context: { dataset: 'holdout' },
    measurements: [metric('accuracy', 0.93), metric('accuracy', 0.81, 'female'), metric('label', 'v2')],
    checks: [{ name: 'schema', status: 'pass' }],
  });

  it('reads latest.<kind>.metrics of the newest evidence', () => {
    expect(run(rule('latest.performance.metrics.accuracy >= 0.93'), [newer, older])).toMatchObject({
      status: 'compliant',
      evidenceIds: ['new'],
      details: [{ property: 'expression', value: true, operator: '==', target: true, success: true }],
    });
    expect(run(rule('latest.performance.metrics.accuracy > 0.93'), [older, newer]).status).toBe('non_compliant');
  });

  it('compares numbers with int literals', () => {
    expect(run(rule('latest.performance.metrics.accuracy < 1'), [newer]).status).toBe('compliant');
  });

  it('reads sliced measurements, context and checks', () => {
    const text =
      'latest.performance.measurements.exists(m, m.name == "accuracy" && m.slice == "female" && m.value < 0.8) || ' +
      '(latest.performance.context.dataset == "holdout" && latest.performance.checks.all(c, c.status == "pass"))';
    expect(run(rule(text), [newer]).status).toBe('compliant');
    expect(run(rule('latest.performance.context.split == ""'), [newer]).status).toBe('compliant');
  });

  it('reads history newest first and then reports every evidence id it was given', () => {
    const result = run(rule('history.performance[0].metrics.accuracy < history.performance[1].metrics.accuracy'), [
      older,
      newer,
    ]);
    expect(result.status).toBe('compliant');
    expect(result.evidenceIds).toEqual(['new', 'old']);
  });

  it('compares timestamps with now', () => {
    expect(run(rule('now - latest.performance.observedAt < duration("3h")'), [newer]).status).toBe('compliant');
    expect(run(rule('now - latest.performance.observedAt < duration("1h")'), [newer]).status).toBe('non_compliant');
  });

  it('is pending until every declared kind has evidence', () => {
    const result = run(
      rule('latest.performance.metrics.accuracy > 0.9 && latest.fairness.metrics.gap < 0.1', [
        'performance',
        'fairness',
      ]),
      [newer],
    );
    expect(result.status).toBe('pending');
    expect(result.reason).toContain('fairness');
  });

  it('is an error, never a pass, when a metric is missing', () => {
    const result = run(rule('latest.performance.metrics.f1 > 0.5'), [newer]);
    expect(result.status).toBe('error');
    expect(result.reason).toContain('f1');
    expect(result.evidenceIds).toEqual(['new']);
  });

  it('is an error when a value has the wrong type at run time', () => {
    expect(run(rule('latest.performance.metrics.label > 0.5'), [newer]).status).toBe('error');
    const nullValue = evidence({ measurements: [metric('accuracy', null)] });
    expect(run(rule('latest.performance.metrics.accuracy > 0.5'), [nullValue]).status).toBe('error');
  });

  it('evaluates ternaries and dyn() whose operand types are known only at run time', () => {
    const metrics = 'latest.performance.metrics';
    const result = run(rule(`${metrics}.label == "v2" ? ${metrics}.accuracy > 0.5 : ${metrics}.label == "x"`), [newer]);
    expect(result.status).toBe('compliant');
    const dynamic = run(rule('dyn(latest.performance.metrics["accuracy"]) == 0.93 && [1, "a"][1] == "a"'), [newer]);
    expect(dynamic.status).toBe('compliant');
  });

  it('is an error on a CEL runtime error such as a division by zero or an index out of range', () => {
    expect(run(rule('1 / (history.performance.size() - 1) == 1'), [newer]).status).toBe('error');
    expect(run(rule('history.performance[3].metrics.accuracy > 0.5'), [newer]).status).toBe('error');
  });

  it('gives the same answer from the cached program', () => {
    const text = 'latest.performance.metrics.accuracy >= 0.95';
    expect(run(rule(text), [older]).status).toBe('compliant');
    expect(run(rule(text), [newer]).status).toBe('non_compliant');
  });
});
