import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';
import { seededRandom, type Random } from '@cabc/testing';
import {
  emptyState,
  observeEvidence,
  type AnomalyEvidence,
  type AnomalyScope,
  type Observation,
} from '../src/index.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START = Date.UTC(2026, 0, 5);
export const MODEL = 'a'.repeat(64);
export const REFERENCE = 'b'.repeat(64);

/** The seeded source of @cabc/testing; `normal` draws from a normal distribution. */
export const seeded = (seed: number) => seededRandom(seed);

export function scope(overrides: Partial<AnomalyScope> = {}): AnomalyScope {
  return { version: 1, modelDigests: [MODEL], datasetDigests: [REFERENCE], ...overrides };
}

export interface EvidenceOptions {
  id: string;
  kind?: EvidenceKind;
  observedAt: number;
  /** Ledger time; a minute after observation unless told. */
  appendedAt?: number;
  measurements?: Measurement[];
  checks?: Check[];
  run?: string;
  tool?: string;
  keyId?: string;
  submitter?: { org: string; subject: string; role: 'pipeline' | 'auditee' };
  subjects?: AnomalyEvidence['subjects'];
}

let dataCounter = 0;

/** One evidence; performance about MODEL on fresh data unless told otherwise. */
export function evidence(options: EvidenceOptions): AnomalyEvidence {
  dataCounter += 1;
  const kind = options.kind ?? 'performance';
  const fresh = dataCounter.toString(16).padStart(64, '0');
  return {
    id: options.id,
    appendedAt: new Date(options.appendedAt ?? options.observedAt + 60_000),
    keyId: options.keyId ?? 'key-1',
    subjects: options.subjects ?? [
      ...(kind === 'performance' ? [{ name: 'model.onnx', digest: { sha256: MODEL } }] : []),
      { name: 'data.parquet', digest: { sha256: fresh } },
    ],
    predicate: {
      toe: 'toe-test',
      kind,
      producer: { tool: options.tool ?? 'mlflow', ...(options.run ? { pipelineRunId: options.run } : {}) },
      observedAt: new Date(options.observedAt).toISOString(),
      context: {},
      measurements: options.measurements ?? [],
      checks: options.checks ?? [],
      submitter: options.submitter ?? { org: 'acme', subject: 'ci', role: 'pipeline' },
    },
  };
}

/** Classification metrics around a level, with correlated noise: what an evaluation job reports. */
export function performance(random: Random, shift = 0, deviation = 0.004): Measurement[] {
  const common = random.normal(0, deviation);
  const accuracy = 0.9 + shift * deviation + common + random.normal(0, deviation / 3);
  return [
    { name: 'accuracy', value: accuracy },
    { name: 'f1', value: accuracy - 0.05 + 1.1 * (common * 0.2) + random.normal(0, deviation / 3) },
    { name: 'auc', value: 0.95 + shift * deviation * 0.6 + 0.6 * common + random.normal(0, deviation / 3) },
  ];
}

/** A daily performance series of `count` evidence e0, e1, ... with run ids r0, r1, ... */
export function dailyPerformance(count: number, seed: number, shiftAt?: (index: number) => number): AnomalyEvidence[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, index) =>
    evidence({
      id: `e${index}`,
      run: `r${index}`,
      observedAt: START + index * DAY + random.normal(0, 300_000),
      measurements: performance(random, shiftAt?.(index) ?? 0),
    }),
  );
}

/** Observes the evidence in order under one scope; the observations by evidence id of their trigger. */
export function observeAll(items: readonly AnomalyEvidence[], under: AnomalyScope = scope()) {
  const state = emptyState();
  const observations: Observation[] = [];
  for (const item of items) observations.push(...observeEvidence(state, item, under));
  return { state, observations };
}

export function ofSignal(observations: readonly Observation[], signal: Observation['signal']): Observation[] {
  return observations.filter((observation) => observation.signal === signal);
}
