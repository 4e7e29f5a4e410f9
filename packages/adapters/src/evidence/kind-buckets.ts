import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';

export interface KindBucket {
  kind: EvidenceKind;
  measurements: Measurement[];
  checks: Check[];
}

interface Entry {
  bucket: KindBucket;
  seen: Set<string>;
}

/**
 * Sorts the measurements and checks of one multi-topic file (drift + data quality + performance) into one bucket
 * per evidence kind, in first-seen order. A file often states the same fact twice (Evidently's DatasetDriftMetric
 * and DataDriftTable both count drifted columns), so a repeated measurement (same name and slice) or check (same
 * name) keeps its first value.
 */
export class KindBuckets {
  private readonly entries = new Map<EvidenceKind, Entry>();

  add(kind: EvidenceKind, items: { measurements?: Measurement[]; checks?: Check[] }): void {
    const { bucket, seen } = this.entry(kind);
    for (const item of items.measurements ?? []) {
      const key = `m\u0000${item.name}\u0000${item.slice ?? ''}`;
      if (!seen.has(key)) bucket.measurements.push(item);
      seen.add(key);
    }
    for (const item of items.checks ?? []) {
      const key = `c\u0000${item.name}`;
      if (!seen.has(key)) bucket.checks.push(item);
      seen.add(key);
    }
  }

  list(): KindBucket[] {
    return [...this.entries.values()].map((entry) => entry.bucket);
  }

  private entry(kind: EvidenceKind): Entry {
    let entry = this.entries.get(kind);
    if (!entry) {
      entry = { bucket: { kind, measurements: [], checks: [] }, seen: new Set() };
      this.entries.set(kind, entry);
    }
    return entry;
  }
}
