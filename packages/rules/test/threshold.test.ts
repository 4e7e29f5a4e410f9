import { describe, expect, it } from 'vitest';
import { evidence, metric, run, hoursAgo } from './fixtures.ts';

const selector = { kind: 'performance', metric: 'accuracy' };
const threshold = (operator: string, target: unknown) => ({ type: 'threshold', selector, operator, target });
const withAccuracy = (value: number | string | boolean | null) => [
  evidence({ measurements: [metric('accuracy', value)] }),
];

describe('threshold operators at their boundaries', () => {
  const cases: [operator: string, target: number, value: number, status: string][] = [
    ['<', 0.9, 0.9, 'non_compliant'],
    ['<', 0.9, 0.9000001, 'non_compliant'],
    ['<', 0.9, 0.8999999, 'compliant'],
    ['<=', 0.9, 0.9, 'compliant'],
    ['<=', 0.9, 0.9000001, 'non_compliant'],
    ['<=', 0.9, 0.8999999, 'compliant'],
    ['>', 0.9, 0.9, 'non_compliant'],
    ['>', 0.9, 0.9000001, 'compliant'],
    ['>', 0.9, 0.8999999, 'non_compliant'],
    ['>=', 0.9, 0.9, 'compliant'],
    ['>=', 0.9, 0.9000001, 'compliant'],
    ['>=', 0.9, 0.8999999, 'non_compliant'],
    ['==', 0.9, 0.9, 'compliant'],
    ['==', 0.9, 0.9000001, 'non_compliant'],
    ['==', 0.9, 0.8999999, 'non_compliant'],
    ['!=', 0.9, 0.9, 'non_compliant'],
    ['!=', 0.9, 0.9000001, 'compliant'],
    ['!=', 0.9, 0.8999999, 'compliant'],
  ];
  it.each(cases)('%s %s with value %s is %s', (operator, target, value, status) => {
    const result = run(threshold(operator, target), withAccuracy(value));
    expect(result.status).toBe(status);
    expect(result.details).toEqual([
      { property: 'accuracy', value, operator, target, success: status === 'compliant' },
    ]);
  });

  it('compares strings and booleans for equality', () => {
    expect(run(threshold('==', 'v2'), withAccuracy('v2')).status).toBe('compliant');
    expect(run(threshold('!=', 'v2'), withAccuracy('v2')).status).toBe('non_compliant');
    expect(run(threshold('==', true), withAccuracy(true)).status).toBe('compliant');
    expect(run(threshold('==', true), withAccuracy(false)).status).toBe('non_compliant');
  });
});

describe('in / not_in with mixed types', () => {
  const target = [1, 'gold', true];
  it.each([
    ['in', 1, 'compliant'],
    ['in', 2, 'non_compliant'],
    ['in', 'gold', 'compliant'],
    ['in', 'silver', 'non_compliant'],
    ['in', true, 'compliant'],
    ['in', false, 'non_compliant'],
    ['not_in', 1, 'non_compliant'],
    ['not_in', 2, 'compliant'],
    ['not_in', 'gold', 'non_compliant'],
    ['not_in', false, 'compliant'],
  ] as const)('%s with value %s is %s', (operator, value, status) => {
    expect(run(threshold(operator, target), withAccuracy(value)).status).toBe(status);
  });

  it('never coerces: "1" is not a member of [1]', () => {
    expect(run(threshold('in', [1, 2]), withAccuracy('1')).status).toBe('error');
    expect(run(threshold('in', [1, 'a']), withAccuracy('1')).status).toBe('non_compliant');
  });

  it('a value of a type the list does not hold is an error, not a failed comparison', () => {
    const result = run(threshold('not_in', [1, 2]), withAccuracy(true));
    expect(result.status).toBe('error');
    expect(result.reason).toContain('type mismatch');
  });
});

describe('threshold evidence that cannot be judged', () => {
  it('is pending without evidence of the kind', () => {
    const result = run(threshold('>=', 0.9), [evidence({ kind: 'fairness', measurements: [metric('accuracy', 1)] })]);
    expect(result).toMatchObject({ status: 'pending', evidenceIds: [] });
  });

  it('is pending when no evidence of the kind carries the metric: such evidence is irrelevant, not an error', () => {
    const record = evidence({ measurements: [metric('f1', 0.95)] });
    const result = run(threshold('>=', 0.9), [record]);
    expect(result).toMatchObject({ status: 'pending', evidenceIds: [] });
    expect(result.reason).toContain("performance evidence with a measurement 'accuracy'");
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['null', null],
    ['a string', '0.95'],
    ['a boolean', true],
  ])('is an error when the value is %s', (_label, value) => {
    expect(run(threshold('>=', 0.9), withAccuracy(value as number)).status).toBe('error');
  });

  it('says why a value cannot be judged', () => {
    expect(run(threshold('>=', 0.9), withAccuracy(null)).reason).toContain('the value is null');
    expect(run(threshold('>=', 0.9), withAccuracy(Number.NaN)).reason).toContain('the value is NaN');
  });

  it('is an error when an equality target and the value differ in type', () => {
    expect(run(threshold('==', 1), withAccuracy('1')).status).toBe('error');
  });
});

describe('threshold selection', () => {
  it('reads the newest evidence by observedAt, whatever the order it is given in', () => {
    const older = evidence({ observedAt: hoursAgo(5), measurements: [metric('accuracy', 0.95)] });
    const newer = evidence({ observedAt: hoursAgo(1), measurements: [metric('accuracy', 0.5)] });
    const result = run(threshold('>=', 0.9), [newer, older]);
    expect(result).toMatchObject({ status: 'non_compliant', evidenceIds: [newer.id] });
    expect(run(threshold('>=', 0.9), [older, newer]).evidenceIds).toEqual([newer.id]);
  });

  it('breaks an observedAt tie by the later receivedAt', () => {
    const observedAt = hoursAgo(2);
    const first = evidence({ observedAt, receivedAt: hoursAgo(2), measurements: [metric('accuracy', 0.5)] });
    const second = evidence({ observedAt, receivedAt: hoursAgo(1), measurements: [metric('accuracy', 0.95)] });
    expect(run(threshold('>=', 0.9), [second, first]).evidenceIds).toEqual([second.id]);
    expect(run(threshold('>=', 0.9), [first, second]).evidenceIds).toEqual([second.id]);
  });

  it('matches dataset and split from the evidence context', () => {
    const test = evidence({
      observedAt: hoursAgo(3),
      context: { dataset: 'holdout', split: 'test' },
      measurements: [metric('accuracy', 0.95)],
    });
    const train = evidence({
      observedAt: hoursAgo(1),
      context: { dataset: 'holdout', split: 'train' },
      measurements: [metric('accuracy', 0.5)],
    });
    const rule = { ...threshold('>=', 0.9), selector: { ...selector, dataset: 'holdout', split: 'test' } };
    expect(run(rule, [test, train])).toMatchObject({ status: 'compliant', evidenceIds: [test.id] });
    const otherDataset = { ...rule, selector: { ...rule.selector, dataset: 'live' } };
    expect(run(otherDataset, [test, train]).status).toBe('pending');
  });

  it('matches the slice of the measurement or else of the context; no slice means the overall value', () => {
    const record = evidence({ measurements: [metric('accuracy', 0.95), metric('accuracy', 0.7, 'female')] });
    expect(run(threshold('>=', 0.9), [record]).status).toBe('compliant');
    const sliced = { ...threshold('>=', 0.9), selector: { ...selector, slice: 'female' } };
    expect(run(sliced, [record]).status).toBe('non_compliant');

    const contextSliced = evidence({ context: { slice: 'female' }, measurements: [metric('accuracy', 0.92)] });
    expect(run(sliced, [contextSliced]).status).toBe('compliant');
    // Only per-slice values: irrelevant to the overall value, never mistaken for it.
    expect(run(threshold('>=', 0.9), [contextSliced]).status).toBe('pending');
  });
});

describe('selectors pick the evidence that carries the measurement (issue 17.1)', () => {
  const card = (value: number, observedAt: string) =>
    evidence({
      observedAt,
      context: { dataset: 'ai2_arc', slice: 'ARC-Challenge', split: 'test' },
      measurements: [metric('acc_norm', value)],
    });

  it('reads the evaluation, not a newer model card of the same kind reporting other metrics', () => {
    const evaluation = evidence({ observedAt: hoursAgo(3), measurements: [metric('accuracy', 0.95)] });
    const modelCard = card(63.91, hoursAgo(1));
    expect(run(threshold('>=', 0.9), [modelCard, evaluation])).toMatchObject({
      status: 'compliant',
      evidenceIds: [evaluation.id],
    });
  });

  it('accepts a list of names, preferring them in order within one evidence', () => {
    const rule = { ...threshold('>=', 0.9), selector: { ...selector, metric: ['accuracy', 'acc'] } };
    const older = evidence({ observedAt: hoursAgo(3), measurements: [metric('accuracy', 0.5)] });
    const newer = evidence({ observedAt: hoursAgo(1), measurements: [metric('acc', 0.95), metric('accuracy', 0.8)] });
    const result = run(rule, [older, newer]);
    expect(result).toMatchObject({ status: 'non_compliant', evidenceIds: [newer.id] });
    expect(result.details[0]).toMatchObject({ property: 'accuracy', value: 0.8 });
    const onlyAcc = evidence({ observedAt: hoursAgo(0.5), measurements: [metric('acc', 0.95)] });
    expect(run(rule, [older, newer, onlyAcc]).details[0]).toMatchObject({ property: 'acc', value: 0.95 });
  });

  it('filters by producer tool and subject', () => {
    const fromEval = evidence({ observedAt: hoursAgo(3), measurements: [metric('accuracy', 0.95)] });
    const fromOther = {
      ...evidence({ observedAt: hoursAgo(1), measurements: [metric('accuracy', 0.5)] }),
    };
    fromOther.predicate = { ...fromOther.predicate, producer: { tool: 'notebook' } };
    const byTool = { ...threshold('>=', 0.9), selector: { ...selector, tool: ['mlflow', 'eval-job'] } };
    expect(run(byTool, [fromEval, fromOther]).evidenceIds).toEqual([fromEval.id]);
    expect(run(threshold('>=', 0.9), [fromEval, fromOther]).evidenceIds).toEqual([fromOther.id]);

    const other = evidence({
      observedAt: hoursAgo(0.5),
      subjects: [{ name: 'challenger', digest: { sha256: 'c'.repeat(64) } }],
      measurements: [metric('accuracy', 0.1)],
    });
    const bySubject = { ...threshold('>=', 0.9), selector: { ...selector, subject: { sha256: 'A'.repeat(64) } } };
    expect(run(bySubject, [fromEval, other]).evidenceIds).toEqual([fromEval.id]);
    expect(
      run({ ...bySubject, selector: { ...selector, subject: { name: 'challenger' } } }, [fromEval, other]),
    ).toMatchObject({ status: 'non_compliant', evidenceIds: [other.id] });
  });

  it('keeps error for evidence that carries the measurement but cannot be judged', () => {
    const broken = evidence({ observedAt: hoursAgo(1), measurements: [metric('accuracy', '0.95')] });
    const fine = evidence({ observedAt: hoursAgo(3), measurements: [metric('accuracy', 0.95)] });
    expect(run(threshold('>=', 0.9), [broken, fine])).toMatchObject({ status: 'error', evidenceIds: [broken.id] });
  });

  it('refuses a subject selector without name or digest, and an empty metric list', () => {
    expect(() => run({ ...threshold('>=', 0.9), selector: { ...selector, subject: {} } }, [])).toThrow(/subject/);
    expect(() => run({ ...threshold('>=', 0.9), selector: { ...selector, metric: [] } }, [])).toThrow();
  });
});
