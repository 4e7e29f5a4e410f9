import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evidenceKinds, evidencePredicateSchema, evidenceStatementSchema } from '@cabc/contracts';
import { describe, expect, it } from 'vitest';
import { adaptText } from './helpers.ts';

const docsDir = path.resolve(import.meta.dirname, '../../../docs');

function jsonBlocks(file: string): unknown[] {
  const text = readFileSync(path.join(docsDir, file), 'utf8');
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1] ?? '') as unknown);
}

describe('docs/evidence.md', () => {
  const blocks = jsonBlocks('evidence.md');
  const predicates = blocks.filter((block) => !(block as Record<string, unknown>)._type);

  it('has a valid predicate example for every evidence kind', () => {
    const kinds = predicates.map((block) => evidencePredicateSchema.parse(block).kind);
    expect([...kinds].sort()).toEqual([...evidenceKinds].sort());
  });

  it('has a valid Statement example', () => {
    const statements = blocks.filter((block) => (block as Record<string, unknown>)._type);
    expect(statements).toHaveLength(1);
    expect(evidenceStatementSchema.safeParse(statements[0]).error).toBeUndefined();
  });
});

describe('docs/adapters.md', () => {
  it('shows a CABC document that adapts for each generic format', () => {
    const formats = jsonBlocks('adapters.md').map((block) => adaptText(JSON.stringify(block)).format);
    expect(formats).toEqual(['cabc-robustness', 'cabc-fairness', 'cabc-feature-importance']);
  });
});
