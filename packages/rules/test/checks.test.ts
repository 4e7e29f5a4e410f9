import { describe, expect, it } from 'vitest';
import type { Check } from '@cabc/contracts';
import { evidence, hoursAgo, run } from './fixtures.ts';

const checksOf = (checks: Check[], observedAt?: string) =>
  evidence({ kind: 'data_quality', checks, ...(observedAt ? { observedAt } : {}) });
const pass = (name: string): Check => ({ name, status: 'pass' });
const rule = (extra: Record<string, unknown> = {}) => ({ type: 'checks', kind: 'data_quality', ...extra });

describe('checks rules', () => {
  it('is compliant when every check of the newest evidence passes', () => {
    const result = run(rule(), [checksOf([pass('nulls'), pass('schema')])]);
    expect(result.status).toBe('compliant');
    expect(result.details).toEqual([
      { property: 'check:nulls', value: 'pass', operator: 'in', target: ['pass'], success: true },
      { property: 'check:schema', value: 'pass', operator: 'in', target: ['pass'], success: true },
    ]);
  });

  it('reads only the newest evidence', () => {
    const old = checksOf([{ name: 'nulls', status: 'fail' }], hoursAgo(10));
    const fresh = checksOf([pass('nulls')], hoursAgo(1));
    expect(run(rule(), [fresh, old])).toMatchObject({ status: 'compliant', evidenceIds: [fresh.id] });
  });

  it('fails on a failed check and names it', () => {
    const result = run(rule(), [checksOf([pass('nulls'), { name: 'ranges', status: 'fail', detail: '3 rows' }])]);
    expect(result.status).toBe('non_compliant');
    expect(result.reason).toContain('check:ranges');
    expect(result.reason).not.toContain('check:nulls');
  });

  it('treats a warning as a failure unless warnings are allowed', () => {
    const record = checksOf([pass('nulls'), { name: 'drift', status: 'warn' }]);
    expect(run(rule(), [record]).status).toBe('non_compliant');
    expect(run(rule({ allowWarnings: true }), [record]).status).toBe('compliant');
  });

  it('is an error when the tool could not run a check, unless another check failed', () => {
    const broken = checksOf([pass('nulls'), { name: 'ranges', status: 'error' }]);
    expect(run(rule(), [broken]).status).toBe('error');
    const brokenAndFailed = checksOf([
      { name: 'nulls', status: 'fail' },
      { name: 'ranges', status: 'error' },
    ]);
    expect(run(rule(), [brokenAndFailed]).status).toBe('non_compliant');
  });

  it('checks only the named checks, each of which must be reported', () => {
    const record = checksOf([pass('nulls'), { name: 'ranges', status: 'fail' }]);
    expect(run(rule({ names: ['nulls'] }), [record]).status).toBe('compliant');
    expect(run(rule({ names: ['nulls', 'ranges'] }), [record]).status).toBe('non_compliant');
    const missing = run(rule({ names: ['nulls', 'uniqueness'] }), [record]);
    expect(missing.status).toBe('error');
    expect(missing.reason).toContain('uniqueness');
  });

  it('is an error when the evidence reports no checks, and pending without evidence', () => {
    expect(run(rule(), [checksOf([])]).status).toBe('error');
    expect(run(rule(), []).status).toBe('pending');
  });
});
