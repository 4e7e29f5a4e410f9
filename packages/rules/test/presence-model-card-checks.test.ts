import { describe, expect, it } from 'vitest';
import { compileRule, evaluate } from '../src/index.ts';

const card = (checks: { name: string; status: 'pass' | 'warn' | 'fail' | 'error' }[]) => ({
  id: 'card-1',
  receivedAt: new Date('2026-11-01T00:00:00Z'),
  subjects: [],
  predicate: {
    toe: 't',
    kind: 'model_card' as const,
    producer: { tool: 'huggingface' },
    observedAt: '2026-11-01T00:00:00Z',
    context: {},
    measurements: [],
    checks,
  },
});

describe("presence of model-card fields from the adapters' present:<field> checks", () => {
  const rule = compileRule({ type: 'presence', modelCardFields: ['license', 'limitations'] });
  const scope = { modelDigests: [], datasetDigests: [] };

  it('is compliant when every field has a passing present: check', () => {
    const result = evaluate(rule, {
      now: new Date(),
      scope,
      evidence: [
        card([
          { name: 'present:license', status: 'pass' },
          { name: 'present:limitations', status: 'pass' },
        ]),
      ],
    });
    expect(result.status).toBe('compliant');
  });

  it('is non-compliant when the adapter only warned that a field is missing', () => {
    const result = evaluate(rule, {
      now: new Date(),
      scope,
      evidence: [
        card([
          { name: 'present:license', status: 'pass' },
          { name: 'present:limitations', status: 'warn' },
        ]),
      ],
    });
    expect(result.status).toBe('non_compliant');
    expect(result.details.find((detail) => detail.property === 'model_card:limitations')?.success).toBe(false);
  });
});
