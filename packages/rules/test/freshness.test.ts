import { describe, expect, it } from 'vitest';
import { NOW, evidence, hoursAgo, run } from './fixtures.ts';

const rule = (maxAge: string) => ({ type: 'freshness', kind: 'performance', maxAge });

describe('freshness rules', () => {
  it('is compliant at exactly maxAge and non-compliant a second later', () => {
    const exactly = evidence({ observedAt: hoursAgo(30 * 24) });
    expect(run(rule('30d'), [exactly])).toMatchObject({
      status: 'compliant',
      details: [
        { property: 'age_seconds:performance', value: 30 * 86_400, operator: '<=', target: 30 * 86_400, success: true },
      ],
    });
    const later = new Date(NOW.getTime() + 1000);
    expect(run(rule('P30D'), [exactly], later).status).toBe('non_compliant');
  });

  it('judges the newest evidence of the kind', () => {
    const stale = evidence({ observedAt: hoursAgo(48) });
    const fresh = evidence({ observedAt: hoursAgo(1) });
    expect(run(rule('PT12H'), [stale]).status).toBe('non_compliant');
    expect(run(rule('PT12H'), [stale, fresh])).toMatchObject({ status: 'compliant', evidenceIds: [fresh.id] });
    expect(run(rule('PT12H'), [evidence({ kind: 'fairness', observedAt: hoursAgo(1) })]).status).toBe('pending');
  });

  it('counts age from receipt when the producer claims a later observation time', () => {
    const fromTheFuture = evidence({ observedAt: hoursAgo(-100), receivedAt: hoursAgo(48) });
    expect(run(rule('1d'), [fromTheFuture]).status).toBe('non_compliant');
  });
});
