import type { CelInput } from '@bufbuild/cel';
import type { EvidenceKind } from '@cabc/contracts';
import type { EvidenceRecord } from '../evaluation-types.ts';
import { newestFirst } from '../evidence-order.ts';
import { metered, meteredMap } from './step-budget.ts';
import { HISTORY_LIMIT } from './variables.ts';

type CelObject = { [key: string]: CelInput };

/** A google.protobuf.Timestamp message, which is how CEL represents a point in time. */
export function celTimestamp(ms: number): CelInput {
  const seconds = Math.floor(ms / 1000);
  return { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

// Evidence is immutable once in the ledger, so its CEL form is built once per record object.
const converted = new WeakMap<EvidenceRecord, CelObject>();

/** The `evidence` record of variables.ts; absent optional strings are empty, as in protobuf. */
export function celEvidence(record: EvidenceRecord): CelObject {
  const cached = converted.get(record);
  if (cached) return cached;
  const { predicate } = record;
  const metrics = new Map<string, CelInput>();
  for (const measurement of predicate.measurements) {
    if (measurement.slice === undefined && !metrics.has(measurement.name))
      metrics.set(measurement.name, measurement.value);
  }
  const value: CelObject = {
    id: record.id,
    kind: predicate.kind,
    observedAt: celTimestamp(Date.parse(predicate.observedAt)),
    receivedAt: celTimestamp(record.receivedAt.getTime()),
    producer: {
      tool: predicate.producer.tool,
      toolVersion: predicate.producer.toolVersion ?? '',
      adapter: predicate.producer.adapter ?? '',
      pipelineRunId: predicate.producer.pipelineRunId ?? '',
      uri: predicate.producer.uri ?? '',
    },
    context: {
      dataset: predicate.context.dataset ?? '',
      split: predicate.context.split ?? '',
      slice: predicate.context.slice ?? '',
      environment: predicate.context.environment ?? '',
    },
    metrics: meteredMap(metrics),
    measurements: metered(
      predicate.measurements.map((m) => ({
        name: m.name,
        value: m.value,
        unit: m.unit ?? '',
        slice: m.slice ?? '',
      })),
    ),
    checks: metered(predicate.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail ?? '' }))),
    subjects: metered(record.subjects.map((s) => ({ name: s.name, sha256: s.digest.sha256 }))),
  };
  converted.set(record, value);
  return value;
}

export type EvidenceBindings =
  | { missing: EvidenceKind[] }
  | {
      variables: { latest: CelObject; history: CelObject; now: CelInput };
      used: { latest: EvidenceRecord[]; history: EvidenceRecord[] };
    };

/**
 * Binds `latest`, `history` (left empty when the expression does not read it) and `now`; reports the kinds that
 * have no evidence yet instead.
 */
export function bindEvidence(
  kinds: readonly EvidenceKind[],
  evidence: readonly EvidenceRecord[],
  now: Date,
  withHistory: boolean,
): EvidenceBindings {
  const latest: CelObject = {};
  const history: CelObject = {};
  const used = { latest: [] as EvidenceRecord[], history: [] as EvidenceRecord[] };
  const missing: EvidenceKind[] = [];
  for (const kind of kinds) {
    const ofKind = newestFirst(evidence, (record) => record.predicate.kind === kind).slice(0, HISTORY_LIMIT);
    const [newest] = ofKind;
    if (newest === undefined) {
      missing.push(kind);
      continue;
    }
    latest[kind] = celEvidence(newest);
    used.latest.push(newest);
    if (withHistory) {
      history[kind] = metered(ofKind.map(celEvidence));
      used.history.push(...ofKind);
    }
  }
  if (missing.length > 0) return { missing };
  return { variables: { latest, history, now: celTimestamp(now.getTime()) }, used };
}
