import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidenceJsonSchemas, wireJsonSchemas } from '../src/index.ts';

const folder = path.resolve(import.meta.dirname, '../../../docs/schemas');
const committed = (name: string) => JSON.parse(readFileSync(path.join(folder, name), 'utf8'));

describe('published JSON Schemas of the wire formats', () => {
  it('are the ones generated from the zod schemas (run `node scripts/write-schemas.ts` after a change)', () => {
    const schemas = wireJsonSchemas();
    expect(readdirSync(folder).sort()).toEqual(Object.keys(schemas).sort());
    for (const [name, schema] of Object.entries(schemas)) expect(committed(name), name).toEqual(schema);
  });

  it('require what the services require', () => {
    const { predicate } = evidenceJsonSchemas() as {
      predicate: { required: string[]; properties: Record<string, { enum?: string[] }> };
    };
    expect(predicate.required).toEqual(expect.arrayContaining(['toe', 'kind', 'producer', 'observedAt']));
    expect(predicate.properties.kind!.enum).toHaveLength(13);
    const certificate = wireJsonSchemas()['certificate-claims.v1.schema.json'] as { required: string[] };
    expect(certificate.required).toEqual(expect.arrayContaining(['iss', 'sub', 'exp', 'toe', 'scope', 'validity']));
  });
});
