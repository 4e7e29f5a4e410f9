import { createHash } from 'node:crypto';
import { EVIDENCE_PREDICATE_TYPE, evidenceStatementSchema, IN_TOTO_STATEMENT_TYPE } from '@cabc/contracts';
import { describe, expect, it } from 'vitest';
import type { AdaptResult } from '../src/index.ts';
import { fixtureCases, sampleCases } from './cases.ts';
import { adaptFixture, adaptSample, fixtureBytes, sampleBytes, toPredicate } from './helpers.ts';

function expectConformance(result: AdaptResult, bytes: Buffer): void {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  expect(result.rawSha256).toBe(sha256);
  expect(result.evidence.length).toBeGreaterThan(0);
  for (const evidence of result.evidence) {
    expect(evidence.raw.digest.sha256).toBe(sha256);
    expect(evidence.producer.adapter).toBe(`@cabc/adapters/${result.format}@1`);
    const predicate = toPredicate(evidence);
    const names = evidence.checks.map((item) => item.name);
    expect(new Set(names).size).toBe(names.length);
    // The collector's Statement: the evidence's own subjects, else the target's model (here a stand-in digest).
    const subject = evidence.subjects.length > 0 ? evidence.subjects : [{ name: 'model', digest: { sha256 } }];
    const statement = { _type: IN_TOTO_STATEMENT_TYPE, subject, predicateType: EVIDENCE_PREDICATE_TYPE, predicate };
    expect(evidenceStatementSchema.safeParse(statement).error).toBeUndefined();
  }
}

describe('every adapted evidence item is a valid evidence predicate once toe is added', () => {
  it.each(sampleCases)('sample %s', (relative, format) => {
    const result = adaptSample(relative);
    expect(result.format).toBe(format);
    expectConformance(result, sampleBytes(relative));
  });

  it.each(fixtureCases)('variant %s', (name, format) => {
    const result = adaptFixture(name);
    expect(result.format).toBe(format);
    expectConformance(result, fixtureBytes(name));
  });
});
