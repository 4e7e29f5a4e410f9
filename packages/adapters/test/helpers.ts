import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evidencePredicateSchema, type Check, type EvidenceKind, type EvidencePredicate } from '@cabc/contracts';
import { expect } from 'vitest';
import { adapt, AdapterError, type AdaptedEvidence, type AdaptOptions, type AdaptResult } from '../src/index.ts';

/** Real tool outputs kept in the repository (fixtures/tool-outputs/PROVENANCE.md). */
export const samplesDir = path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs');
export const fixturesDir = path.resolve(import.meta.dirname, 'fixtures');

/** Used when a file carries no time of its own. */
export const FALLBACK_TIME = '2030-01-01T00:00:00.000Z';

export function sampleBytes(relative: string): Buffer {
  return readFileSync(path.join(samplesDir, relative));
}

export function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(fixturesDir, name));
}

export function adaptSample(relative: string, options: AdaptOptions = {}): AdaptResult {
  return adapt(
    { bytes: sampleBytes(relative), filename: path.basename(relative) },
    { observedAt: FALLBACK_TIME, ...options },
  );
}

export function adaptFixture(name: string, options: AdaptOptions = {}): AdaptResult {
  return adapt({ bytes: fixtureBytes(name), filename: name }, { observedAt: FALLBACK_TIME, ...options });
}

export function adaptText(text: string, options: AdaptOptions = {}, filename?: string): AdaptResult {
  const input = { bytes: Buffer.from(text, 'utf8'), ...(filename ? { filename } : {}) };
  return adapt(input, { observedAt: FALLBACK_TIME, ...options });
}

export function evidenceOfKind(result: AdaptResult, kind: EvidenceKind): AdaptedEvidence {
  const found = result.evidence.filter((item) => item.kind === kind);
  expect(found, `exactly one ${kind} evidence item`).toHaveLength(1);
  return found[0] as AdaptedEvidence;
}

export function valueOf(evidence: AdaptedEvidence, name: string, slice?: string): unknown {
  const found = evidence.measurements.filter((item) => item.name === name && item.slice === slice);
  expect(found, `one measurement ${name}${slice === undefined ? '' : ` [${slice}]`}`).toHaveLength(1);
  return found[0]?.value;
}

export function unitOf(evidence: AdaptedEvidence, name: string, slice?: string): string | undefined {
  return evidence.measurements.find((item) => item.name === name && item.slice === slice)?.unit;
}

export function checkNamed(evidence: AdaptedEvidence, name: string): Check {
  const found = evidence.checks.find((item) => item.name === name);
  expect(found, `check ${name}`).toBeDefined();
  return found as Check;
}

export function statusCounts(checks: Check[]): Record<Check['status'], number> {
  const counts = { pass: 0, warn: 0, fail: 0, error: 0 };
  for (const item of checks) counts[item.status] += 1;
  return counts;
}

/** What the collector does: add the target of evaluation and drop the subjects (they go to the Statement). */
export function toPredicate(evidence: AdaptedEvidence, toe = 'toe-credit-scoring'): EvidencePredicate {
  const { subjects: _subjects, ...predicate } = evidence;
  return evidencePredicateSchema.parse({ ...predicate, toe });
}

export function expectAdapterError(run: () => unknown, code: AdapterError['code'], field?: string): AdapterError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AdapterError);
  const error = caught as AdapterError;
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
}
