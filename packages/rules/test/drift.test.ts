import { describe, expect, it } from 'vitest';
import type { Measurement } from '@cabc/contracts';
import { evidence, hoursAgo, metric, run } from './fixtures.ts';

const driftEvidence = (measurements: Measurement[], observedAt?: string) =>
  evidence({ kind: 'drift', measurements, ...(observedAt ? { observedAt } : {}) });
const columns = (...scores: number[]) => scores.map((score, index) => metric('drift_score', score, `column_${index}`));

describe('drift rules', () => {
  const calm = driftEvidence([
    metric('dataset_drift', false),
    metric('drift_share', 0.1),
    metric('number_of_drifted_columns', 1),
    ...columns(0.2, 0.01),
  ]);
  const drifting = driftEvidence([
    metric('dataset_drift', true),
    metric('drift_share', 0.6),
    metric('number_of_drifted_columns', 6),
  ]);

  it("by default follows the tool's dataset_drift flag", () => {
    expect(run({ type: 'drift' }, [calm])).toMatchObject({
      status: 'compliant',
      details: [{ property: 'dataset_drift', value: false, operator: '==', target: false, success: true }],
    });
    const result = run({ type: 'drift' }, [drifting]);
    expect(result.status).toBe('non_compliant');
    expect(result.reason).toContain('6 drifted columns');
  });

  it('with maxDriftShare judges the share of drifted columns instead, at its boundary', () => {
    expect(run({ type: 'drift', maxDriftShare: 0.6 }, [drifting]).status).toBe('compliant');
    expect(run({ type: 'drift', maxDriftShare: 0.59 }, [drifting]).status).toBe('non_compliant');
    expect(run({ type: 'drift', maxDriftShare: 0.6, failOnDatasetDrift: true }, [drifting]).status).toBe(
      'non_compliant',
    );
  });

  it('derives the share from drifted columns and per-column scores when drift_share is absent', () => {
    const record = driftEvidence([metric('number_of_drifted_columns', 1), ...columns(0.2, 0.01, 0.03, 0.5)]);
    const result = run({ type: 'drift', maxDriftShare: 0.3 }, [record]);
    expect(result).toMatchObject({ status: 'compliant', details: [{ property: 'drift_share', value: 0.25 }] });
  });

  it('reads the newest drift evidence', () => {
    const old = driftEvidence([metric('dataset_drift', true)], hoursAgo(10));
    const fresh = driftEvidence([metric('dataset_drift', false)], hoursAgo(1));
    expect(run({ type: 'drift' }, [fresh, old])).toMatchObject({ status: 'compliant', evidenceIds: [fresh.id] });
  });

  it.each([
    ['the flag is missing', { type: 'drift' }, [metric('drift_share', 0.1)]],
    ['the flag is a string', { type: 'drift' }, [metric('dataset_drift', 'false')]],
    [
      'the share is missing and cannot be derived',
      { type: 'drift', maxDriftShare: 0.5 },
      [metric('dataset_drift', false)],
    ],
    ['the share is NaN', { type: 'drift', maxDriftShare: 0.5 }, [metric('drift_share', Number.NaN)]],
    ['the share is above 1', { type: 'drift', maxDriftShare: 0.5 }, [metric('drift_share', 1.5)]],
    ['the share is null', { type: 'drift', maxDriftShare: 0.5 }, [metric('drift_share', null)]],
  ])('is an error when %s', (_label, rule, measurements) => {
    expect(run(rule, [driftEvidence(measurements)]).status).toBe('error');
  });

  it('is pending without drift evidence', () => {
    expect(run({ type: 'drift' }, [evidence({ measurements: [metric('dataset_drift', true)] })]).status).toBe(
      'pending',
    );
  });
});
