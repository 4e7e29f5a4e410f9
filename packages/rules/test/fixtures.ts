import type { Check, EvidenceKind, EvidencePredicate, Measurement } from '@cabc/contracts';
import { compileRule, evaluate, type EvaluationContext, type EvidenceRecord, type RuleResult } from '../src/index.ts';

export const MODEL_DIGEST = 'a'.repeat(64);
export const DATASET_DIGEST = 'b'.repeat(64);
export const NOW = new Date('2025-06-01T12:00:00Z');

let sequence = 0;

export interface EvidenceOptions {
  kind?: EvidenceKind;
  id?: string;
  observedAt?: string;
  receivedAt?: string;
  measurements?: Measurement[];
  checks?: Check[];
  context?: EvidencePredicate['context'];
  subjects?: EvidenceRecord['subjects'];
}

/** One piece of evidence, observed an hour before NOW unless told otherwise. */
export function evidence(options: EvidenceOptions = {}): EvidenceRecord {
  sequence += 1;
  const observedAt = options.observedAt ?? '2025-06-01T11:00:00Z';
  return {
    id: options.id ?? `ev-${sequence}`,
    receivedAt: new Date(options.receivedAt ?? observedAt),
    subjects: options.subjects ?? [{ name: 'model', digest: { sha256: MODEL_DIGEST } }],
    predicate: {
      toe: 'credit-scoring',
      kind: options.kind ?? 'performance',
      producer: { tool: 'mlflow', adapter: 'mlflow-run' },
      observedAt,
      context: options.context ?? {},
      measurements: options.measurements ?? [],
      checks: options.checks ?? [],
    },
  };
}

export function metric(name: string, value: Measurement['value'], slice?: string): Measurement {
  return slice === undefined ? { name, value } : { name, value, slice };
}

/** Evidence observed `hoursAgo` hours before NOW. */
export function hoursAgo(hours: number): string {
  return new Date(NOW.getTime() - hours * 3_600_000).toISOString();
}

export function contextOf(records: EvidenceRecord[], now: Date = NOW): EvaluationContext {
  return { now, evidence: records, scope: { modelDigests: [MODEL_DIGEST], datasetDigests: [DATASET_DIGEST] } };
}

export function run(rule: unknown, records: EvidenceRecord[], now: Date = NOW): RuleResult {
  return evaluate(compileRule(rule), contextOf(records, now));
}

/** The issues compileRule reports for a rule it refuses; fails the test when it accepts the rule. */
export function compileIssues(rule: unknown): { field: string; message: string }[] {
  try {
    compileRule(rule);
  } catch (error) {
    if (error instanceof Error && 'issues' in error)
      return (error as { issues: { field: string; message: string }[] }).issues;
    throw error;
  }
  throw new Error('expected the rule to be refused');
}

/** A deterministic pseudo-random generator (mulberry32), so synthetic series are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normally distributed noise by the Box-Muller transform. */
export function gaussian(random: () => number, mean: number, deviation: number): number {
  const u = 1 - random();
  const v = random();
  return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
