import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidenceJsonSchemas } from '../src/index.ts';

const folder = path.resolve(import.meta.dirname, '../../../docs/schemas');
const committed = (name: string) => JSON.parse(readFileSync(path.join(folder, name), 'utf8'));

describe('published JSON Schemas of the evidence', () => {
  it('are the ones generated from the zod schemas (run `node scripts/write-evidence-schemas.ts` after a change)', () => {
    const schemas = evidenceJsonSchemas();
    expect(committed('evidence-predicate.v1.schema.json')).toEqual(schemas.predicate);
    expect(committed('evidence-statement.v1.schema.json')).toEqual(schemas.statement);
  });

  it('require what the services require', () => {
    const { predicate } = evidenceJsonSchemas() as {
      predicate: { required: string[]; properties: Record<string, { enum?: string[] }> };
    };
    expect(predicate.required).toEqual(expect.arrayContaining(['toe', 'kind', 'producer', 'observedAt']));
    expect(predicate.properties.kind!.enum).toHaveLength(13);
  });
});
