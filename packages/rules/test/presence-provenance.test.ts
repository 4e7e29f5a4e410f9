import { describe, expect, it } from 'vitest';
import { DATASET_DIGEST, MODEL_DIGEST, evidence, metric, run } from './fixtures.ts';

describe('presence rules', () => {
  const card = (measurements = [metric('intended_use', 'credit decisions'), metric('limitations', 'not for minors')]) =>
    evidence({ kind: 'model_card', measurements });

  it('is compliant when every listed kind has evidence', () => {
    const result = run({ type: 'presence', kinds: ['performance', 'fairness'] }, [
      evidence(),
      evidence({ kind: 'fairness' }),
    ]);
    expect(result.status).toBe('compliant');
  });

  it('is non-compliant when a listed kind is missing once other evidence has arrived, and pending before', () => {
    const rule = { type: 'presence', kinds: ['performance', 'fairness'] };
    const result = run(rule, [evidence()]);
    expect(result.status).toBe('non_compliant');
    expect(result.reason).toContain('evidence:fairness');
    expect(run(rule, []).status).toBe('pending');
  });

  it('checks the fields of the newest model card', () => {
    const rule = { type: 'presence', modelCardFields: ['intended_use', 'limitations'] };
    expect(run(rule, [card()]).status).toBe('compliant');
    const result = run(rule, [card([metric('intended_use', 'credit decisions'), metric('limitations', '')])]);
    expect(result.status).toBe('non_compliant');
    expect(result.details).toContainEqual({
      property: 'model_card:limitations',
      value: false,
      operator: '==',
      target: true,
      success: false,
    });
    expect(run(rule, [card([metric('intended_use', null), metric('limitations', 'x')])]).status).toBe('non_compliant');
    expect(run(rule, []).status).toBe('pending');
  });

  it('a field requirement fails when the listed kinds are there but the model card is not', () => {
    const result = run({ type: 'presence', kinds: ['performance'], modelCardFields: ['intended_use'] }, [evidence()]);
    expect(result.status).toBe('non_compliant');
  });
});

describe('provenance rules', () => {
  const about = (...digests: string[]) =>
    digests.map((sha256, index) => ({ name: `subject-${index}`, digest: { sha256 } }));

  it('is compliant when every subject is a model or dataset of the approved scope', () => {
    const records = [
      evidence({ subjects: about(MODEL_DIGEST) }),
      evidence({ kind: 'dataset', subjects: about(DATASET_DIGEST, MODEL_DIGEST.toUpperCase()) }),
    ];
    expect(run({ type: 'provenance' }, records).status).toBe('compliant');
  });

  it('is non-compliant when a subject is outside the scope, naming the subject', () => {
    const stranger = 'c'.repeat(64);
    const result = run({ type: 'provenance', kinds: ['performance'] }, [
      evidence({ subjects: about(MODEL_DIGEST, stranger) }),
    ]);
    expect(result.status).toBe('non_compliant');
    expect(result.details).toContainEqual({
      property: 'subject:performance:subject-1',
      value: stranger,
      operator: 'in',
      target: [MODEL_DIGEST, DATASET_DIGEST],
      success: false,
    });
  });

  it('reads only the newest evidence of each kind, and only the listed kinds', () => {
    const stale = evidence({ observedAt: '2025-05-01T00:00:00Z', subjects: about('d'.repeat(64)) });
    const current = evidence({ subjects: about(MODEL_DIGEST) });
    expect(run({ type: 'provenance', kinds: ['performance'] }, [stale, current]).status).toBe('compliant');
    const foreignFairness = evidence({ kind: 'fairness', subjects: about('d'.repeat(64)) });
    expect(run({ type: 'provenance', kinds: ['performance'] }, [current, foreignFairness]).status).toBe('compliant');
    expect(run({ type: 'provenance' }, [current, foreignFairness]).status).toBe('non_compliant');
  });

  it('fails evidence bound to no subject, and is pending without evidence', () => {
    expect(run({ type: 'provenance' }, [evidence({ subjects: [] })])).toMatchObject({
      status: 'non_compliant',
      details: [{ property: 'subjects:performance', value: 0, operator: '>=', target: 1, success: false }],
    });
    expect(run({ type: 'provenance', kinds: ['drift'] }, [evidence()]).status).toBe('pending');
  });
});
