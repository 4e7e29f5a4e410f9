import type { EvidenceRecord } from './evaluation-types.ts';

export function observedAtMs(record: EvidenceRecord): number {
  const ms = Date.parse(record.predicate.observedAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** Newest first: latest `observedAt`, ties broken by the later `receivedAt`. */
function compareNewestFirst(a: EvidenceRecord, aObserved: number, b: EvidenceRecord, bObserved: number): number {
  return bObserved - aObserved || b.receivedAt.getTime() - a.receivedAt.getTime();
}

export function newestOf(
  records: readonly EvidenceRecord[],
  include: (record: EvidenceRecord) => boolean,
): EvidenceRecord | undefined {
  let newest: EvidenceRecord | undefined;
  let newestObserved = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    if (!include(record)) continue;
    const observed = observedAtMs(record);
    if (newest === undefined || compareNewestFirst(record, observed, newest, newestObserved) < 0) {
      newest = record;
      newestObserved = observed;
    }
  }
  return newest;
}

export function newestFirst(
  records: readonly EvidenceRecord[],
  include: (record: EvidenceRecord) => boolean,
): EvidenceRecord[] {
  return records
    .filter(include)
    .map((record) => ({ record, observed: observedAtMs(record) }))
    .sort((a, b) => compareNewestFirst(a.record, a.observed, b.record, b.observed))
    .map(({ record }) => record);
}
