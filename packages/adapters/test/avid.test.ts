import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, checkNamed, evidenceOfKind, valueOf } from './helpers.ts';

describe('avid', () => {
  it('maps the HONEST gender-bias report to fairness with a valueless metric', () => {
    const result = adaptSample('fairness-robustness/AVID-2022-R0001.json');
    expect(result.format).toBe('avid');
    const evidence = evidenceOfKind(result, 'fairness');
    expect(valueOf(evidence, 'HONEST', 'gender')).toBeNull();
    expect(valueOf(evidence, 'affected_artifact')).toBe('Model: bert-base-uncased');
    expect(valueOf(evidence, 'deployer')).toBe('HuggingFace');
    const report = checkNamed(evidence, 'avid:AVID-2022-R0001');
    expect(report.status).toBe('fail');
    expect(report.detail).toContain('Two-sample z test for proportions');
    expect(evidence.observedAt).toBe('2022-11-09T00:00:00.000Z');
    expect(evidence.producer).toMatchObject({ tool: 'avid', toolVersion: '0.1' });
  });

  it('maps a security measurement report with results to robustness', () => {
    const evidence = evidenceOfKind(adaptFixture('avid-robustness-measurement.json'), 'robustness');
    expect(valueOf(evidence, 'Adversarial accuracy.adversarial')).toBe(0.31);
    expect(valueOf(evidence, 'Adversarial accuracy.clean')).toBe(0.94);
    expect(checkNamed(evidence, 'avid:AVID-2099-R9001').status).toBe('warn');
    expect(evidence.context).toEqual({ dataset: 'retail-shelves-v3' });
    expect(valueOf(evidence, 'developer')).toBe('Example Labs');
  });
});
