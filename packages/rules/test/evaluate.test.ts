import { describe, expect, it } from 'vitest';
import { MAX_REASON_LENGTH, compileRule, evaluate, type EvidenceRecord } from '../src/index.ts';
import { LruCache } from '../src/lru-cache.ts';
import { contextOf, evidence, run } from './fixtures.ts';

describe('evaluate', () => {
  it('turns an unexpected exception into an error result instead of throwing', () => {
    const malformed = {
      ...evidence(),
      predicate: { ...evidence().predicate, measurements: undefined },
    } as unknown as EvidenceRecord;
    const compiled = compileRule({
      type: 'threshold',
      selector: { kind: 'performance', metric: 'accuracy' },
      operator: '>',
      target: 0,
    });
    const result = evaluate(compiled, contextOf([malformed]));
    expect(result.status).toBe('error');
    expect(result.evidenceIds).toEqual([malformed.id]);
  });

  it('bounds the reason to what the posture callback carries', () => {
    const checks = Array.from({ length: 500 }, (_, index) => ({
      name: `check-number-${index}`,
      status: 'fail' as const,
    }));
    const result = run({ type: 'checks', kind: 'data_quality' }, [evidence({ kind: 'data_quality', checks })]);
    expect(result.status).toBe('non_compliant');
    expect(result.reason.length).toBe(MAX_REASON_LENGTH);
    expect(result.details).toHaveLength(500);
  });
});

describe('LruCache', () => {
  it('forgets the least recently used entry beyond its capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });
});
