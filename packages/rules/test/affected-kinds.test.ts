import { evidenceKinds } from '@cabc/contracts';
import { describe, expect, it } from 'vitest';
import { affectedKinds, compileRule } from '../src/index.ts';

const kindsOf = (rule: unknown) => [...compileRule(rule).affectedKinds].sort();
const selector = { kind: 'robustness', metric: 'attack_success_rate' };

describe('affectedKinds', () => {
  it.each([
    [{ type: 'threshold', selector, operator: '<', target: 0.1 }, ['robustness']],
    [{ type: 'trend', selector, direction: 'increase_is_bad', method: 'cusum' }, ['robustness']],
    [
      {
        type: 'expression',
        expression: 'latest.fairness.metrics.gap < 0.1',
        kinds: ['fairness', 'performance', 'fairness'],
      },
      ['fairness', 'performance'],
    ],
    [{ type: 'checks', kind: 'data_quality' }, ['data_quality']],
    [{ type: 'freshness', kind: 'drift', maxAge: '7d' }, ['drift']],
    [{ type: 'presence', kinds: ['dataset'], modelCardFields: ['limitations'] }, ['dataset', 'model_card']],
    [{ type: 'presence', modelCardFields: ['limitations'] }, ['model_card']],
    [{ type: 'provenance', kinds: ['performance'] }, ['performance']],
    [{ type: 'drift', maxDriftShare: 0.3 }, ['drift']],
  ])('%j → %j', (rule, kinds) => {
    expect(kindsOf(rule)).toEqual(kinds);
  });

  it('a provenance rule without kinds is affected by every kind', () => {
    expect(kindsOf({ type: 'provenance' })).toEqual([...evidenceKinds].sort());
  });

  it('is also available for a parsed rule', () => {
    expect(affectedKinds({ type: 'checks', kind: 'evaluation', allowWarnings: false })).toEqual(['evaluation']);
  });
});
