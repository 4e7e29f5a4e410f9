import { emptyState, observeEvidence, restoreState, type AnomalyState } from '@cabc/anomaly';
import type { EvidenceKind } from '@cabc/contracts';
import { compileRule, evaluate, evidenceDepth, type CompiledRule, type EvidenceRecord } from '@cabc/rules';
import type { GeneratedStream, StreamItem } from './generator.ts';
import { BENCH_REQUIREMENTS } from './requirements.ts';

/** CPU microseconds per evidence of each way of doing the work. */
export interface CostFigures {
  evidence: number;
  /** The affected requirements evaluated on evidence objects already in memory: the baseline. */
  rules: number;
  /** The same, with the evidence rows decoded first (JSON.parse of each row read, as the pg driver does for jsonb). */
  rulesWithRead: number;
  /** The detectors on a state kept in memory. */
  detectors: number;
  /** ... as the assessment runs them: kept in memory, serialized to JSON (the stored snapshot) once per 50 evidence. */
  integrated: number;
  /** ... with the state read from and written back to JSON once per block of 50 evidence (a snapshot). */
  snapshot: number;
  /** ... with the state parsed from and serialized to JSON around every evidence. */
  withJson: number;
  /** ... and validated against its schema on every read. */
  withValidation: number;
  stateBytes: { mean: number; max: number };
}

type Measured = Omit<CostFigures, 'stateBytes'>;

const BLOCK = 50;

/**
 * CPU cost per evidence of the detectors against the cost of evaluating the bench scope's affected requirements on
 * the same evidence, as the assessment does: the rules see the newest evidence of each kind they read, up to the
 * depth each rule needs (500 performance evidence for the trend rules). Measured in alternating blocks of 50 evidence
 * in one process, after a warm-up stream; the contexts are built outside the clock.
 */
export function measureCost(warmUp: GeneratedStream, streams: readonly GeneratedStream[]): CostFigures {
  const compiled = BENCH_REQUIREMENTS.map((entry) => compileRule(entry.rule));
  const depth = new Map<EvidenceKind, number>();
  for (const rule of compiled) {
    for (const kind of rule.affectedKinds) depth.set(kind, Math.max(depth.get(kind) ?? 0, evidenceDepth(rule.rule)));
  }
  measureStream(warmUp, compiled, depth);
  const totals = emptyTotals();
  for (const stream of streams) {
    const figures = measureStream(stream, compiled, depth);
    for (const key of MEASURED) totals[key] += figures[key];
    totals.evidence += figures.evidence;
    totals.bytes += figures.bytes;
    totals.maxBytes = Math.max(totals.maxBytes, figures.maxBytes);
  }
  const perEvidence = (ms: number) => (1000 * ms) / totals.evidence;
  const result = {
    evidence: totals.evidence,
    stateBytes: { mean: totals.bytes / totals.evidence, max: totals.maxBytes },
  };
  return { ...result, ...Object.fromEntries(MEASURED.map((key) => [key, perEvidence(totals[key])])) } as CostFigures;
}

const MEASURED = ['rules', 'rulesWithRead', 'detectors', 'integrated', 'snapshot', 'withJson', 'withValidation'] as const;

function emptyTotals(): Measured & { bytes: number; maxBytes: number } {
  return {
    evidence: 0,
    rules: 0,
    rulesWithRead: 0,
    detectors: 0,
    integrated: 0,
    snapshot: 0,
    withJson: 0,
    withValidation: 0,
    bytes: 0,
    maxBytes: 0,
  };
}

function measureStream(stream: GeneratedStream, compiled: CompiledRule[], depth: Map<EvidenceKind, number>) {
  const history = new Map<EvidenceKind, Row[]>();
  const plain = emptyState();
  const cached = emptyState();
  let written = '';
  let json = JSON.stringify(emptyState());
  let validatedJson = json;
  let snapshotJson = json;
  const figures = emptyTotals();

  for (let start = 0; start < stream.items.length; start += BLOCK) {
    const block = stream.items.slice(start, start + BLOCK);
    const contexts = block.map((item) => contextFor(item, history, depth, compiled));
    const runs: [(typeof MEASURED)[number], () => void][] = [
      [
        'rules',
        () => {
          for (const context of contexts) evaluateAffected(context, context.evidence);
        },
      ],
      [
        'rulesWithRead',
        () => {
          for (const context of contexts) evaluateAffected(context, context.rows.map(decode));
        },
      ],
      [
        'detectors',
        () => {
          for (const item of block) observeEvidence(plain, item.evidence, item.scope);
        },
      ],
      [
        'integrated',
        () => {
          for (const item of block) observeEvidence(cached, item.evidence, item.scope);
          written = JSON.stringify(cached);
        },
      ],
      [
        'snapshot',
        () => {
          const state = JSON.parse(snapshotJson) as AnomalyState;
          for (const item of block) observeEvidence(state, item.evidence, item.scope);
          snapshotJson = JSON.stringify(state);
        },
      ],
      [
        'withJson',
        () =>
          block.forEach((item) => {
            const state = JSON.parse(json) as AnomalyState;
            observeEvidence(state, item.evidence, item.scope);
            json = JSON.stringify(state);
          }),
      ],
      [
        'withValidation',
        () =>
          block.forEach((item) => {
            const state = restoreState(JSON.parse(validatedJson));
            observeEvidence(state, item.evidence, item.scope);
            validatedJson = JSON.stringify(state);
          }),
      ],
    ];
    // Rotate the order block by block, so that no variant always runs first (or last) in a warm cache.
    const offset = (start / BLOCK) % runs.length;
    for (let index = 0; index < runs.length; index += 1) {
      const [name, run] = runs[(index + offset) % runs.length]!;
      // CPU time of this process, not wall time: the machine may be shared.
      const began = process.cpuUsage();
      run();
      const used = process.cpuUsage(began);
      figures[name] += (used.user + used.system) / 1000;
    }
    figures.evidence += block.length;
    figures.bytes += json.length * block.length;
    if (written.length !== snapshotJson.length) throw new Error('the integrated state differs from the snapshot one');
    figures.maxBytes = Math.max(figures.maxBytes, json.length);
  }
  return figures;
}

interface Row {
  record: EvidenceRecord;
  /** The row as the database driver receives it: the predicate and subjects columns as JSON text. */
  text: { id: string; receivedAt: Date; subjects: string; predicate: string };
}

interface Context {
  requirements: CompiledRule[];
  evidence: EvidenceRecord[];
  rows: Row['text'][];
  now: Date;
  scope: { modelDigests: string[]; datasetDigests: string[] };
}

function decode(text: Row['text']): EvidenceRecord {
  return {
    id: text.id,
    receivedAt: text.receivedAt,
    subjects: JSON.parse(text.subjects) as EvidenceRecord['subjects'],
    predicate: JSON.parse(text.predicate) as EvidenceRecord['predicate'],
  };
}

/** Appends the item to its kind's history and answers what the assessment would evaluate when it arrives. */
function contextFor(
  item: StreamItem,
  history: Map<EvidenceKind, Row[]>,
  depth: Map<EvidenceKind, number>,
  compiled: CompiledRule[],
): Context {
  const kind = item.evidence.predicate.kind;
  const records = history.get(kind) ?? [];
  const { id, appendedAt: receivedAt, subjects, predicate } = item.evidence;
  records.push({
    record: { id, receivedAt, subjects, predicate },
    text: { id, receivedAt, subjects: JSON.stringify(subjects), predicate: JSON.stringify(predicate) },
  });
  history.set(kind, records);
  const rows = [...depth.entries()].flatMap(([wanted, count]) => (history.get(wanted) ?? []).slice(-count));
  return {
    requirements: compiled.filter((rule) => rule.affectedKinds.includes(kind)),
    evidence: rows.map((row) => row.record),
    rows: rows.map((row) => row.text),
    now: item.evidence.appendedAt,
    scope: { modelDigests: [...item.scope.modelDigests], datasetDigests: [...item.scope.datasetDigests] },
  };
}

function evaluateAffected(context: Context, evidence: EvidenceRecord[]): void {
  for (const rule of context.requirements) evaluate(rule, { now: context.now, evidence, scope: context.scope });
}
