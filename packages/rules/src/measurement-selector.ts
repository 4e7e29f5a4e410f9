import type { Measurement } from '@cabc/contracts';
import type { DetailScalar, EvidenceRecord } from './evaluation-types.ts';
import type { Selector } from './rule-schema.ts';
import { describeValue } from './describe-value.ts';

/** The evidence a selector can read: its kind, and its dataset and split when the selector names them. */
export function isSelectable(record: EvidenceRecord, selector: Selector): boolean {
  const { kind, context } = record.predicate;
  return (
    kind === selector.kind &&
    (selector.dataset === undefined || context.dataset === selector.dataset) &&
    (selector.split === undefined || context.split === selector.split)
  );
}

/**
 * The first measurement with the selector's name and slice. A measurement's slice is its own or else the evidence
 * context's; a selector without a slice reads only unsliced measurements (the overall value).
 */
export function findMeasurement(record: EvidenceRecord, selector: Selector): Measurement | undefined {
  const contextSlice = record.predicate.context.slice;
  return record.predicate.measurements.find(
    (measurement) => measurement.name === selector.metric && (measurement.slice ?? contextSlice) === selector.slice,
  );
}

export function selectorLabel(selector: Selector): string {
  const qualifiers = (['dataset', 'split', 'slice'] as const)
    .filter((key) => selector[key] !== undefined)
    .map((key) => `${key}=${selector[key]}`);
  return qualifiers.length === 0 ? selector.metric : `${selector.metric}{${qualifiers.join(',')}}`;
}

export function describeSelection(selector: Selector): string {
  const qualifiers = [
    selector.dataset && `dataset ${selector.dataset}`,
    selector.split && `split ${selector.split}`,
  ].filter(Boolean);
  return qualifiers.length === 0
    ? `${selector.kind} evidence`
    : `${selector.kind} evidence for ${qualifiers.join(', ')}`;
}

export type ReadValue = { value: DetailScalar } | { error: string };

export function readMeasurement(record: EvidenceRecord, selector: Selector): ReadValue {
  const measurement = findMeasurement(record, selector);
  if (measurement === undefined) {
    return { error: `evidence ${record.id} has no measurement '${selectorLabel(selector)}'` };
  }
  return { value: measurement.value };
}

/** A measured value a calculation can use: a finite number, not a string, boolean, null or NaN. */
export function readNumber(record: EvidenceRecord, selector: Selector): { value: number } | { error: string } {
  const read = readMeasurement(record, selector);
  if ('error' in read) return read;
  return typeof read.value === 'number' && Number.isFinite(read.value)
    ? { value: read.value }
    : {
        error: `${selectorLabel(selector)} in evidence ${record.id} is ${describeValue(read.value)}, not a finite number`,
      };
}
