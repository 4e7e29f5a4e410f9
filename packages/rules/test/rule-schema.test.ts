import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ruleSchema } from '../src/index.ts';

describe('ruleSchema', () => {
  it('converts to JSON Schema, so routes can publish it', () => {
    for (const io of ['input', 'output'] as const) {
      const schema = JSON.stringify(z.toJSONSchema(ruleSchema, { io }));
      for (const type of [
        'threshold',
        'expression',
        'checks',
        'freshness',
        'presence',
        'provenance',
        'trend',
        'drift',
      ]) {
        expect(schema).toContain(`"const":"${type}"`);
      }
    }
  });

  it('applies defaults', () => {
    expect(ruleSchema.parse({ type: 'checks', kind: 'data_quality' })).toEqual({
      type: 'checks',
      kind: 'data_quality',
      allowWarnings: false,
    });
  });
});
