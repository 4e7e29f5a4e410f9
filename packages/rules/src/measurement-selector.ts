import type { Measurement } from '@cabc/contracts';
import type { DetailScalar, EvidenceRecord } from './evaluation-types.ts';
import type { Selector } from './rule-schema.ts';
import { describeValue } from './describe-value.ts';

const asList = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value);

/** The measurement names a selector accepts, in order of preference. */
export const metricNamesOf = (selector: Selector): readonly string[] => asList(selector.metric);

/** What a selector asks of a piece of evidence, as plain data: what a service's query filters on, too. */
export interface MeasurementMatch {
  metrics: readonly string[];
  /** The slice the measurement must have (its own or the context's); null for the overall (unsliced) value. */
  slice: string | null;
  dataset?: string;
  split?: string;
  tools?: readonly string[];
  subject?: { name?: string; sha256?: string };
}

export function measurementMatchOf(selector: Selector): MeasurementMatch {
  return {
    metrics: metricNamesOf(selector),
    slice: selector.slice ?? null,
    ...(selector.dataset !== undefined ? { dataset: selector.dataset } : {}),
    ...(selector.split !== undefined ? { split: selector.split } : {}),
    ...(selector.tool !== undefined ? { tools: asList(selector.tool) } : {}),
    ...(selector.subject !== undefined
      ? {
          subject: {
            ...(selector.subject.name !== undefined ? { name: selector.subject.name } : {}),
            ...(selector.subject.sha256 !== undefined ? { sha256: selector.subject.sha256.toLowerCase() } : {}),
          },
        }
      : {}),
  };
}

function isAbout(record: EvidenceRecord, subject: NonNullable<Selector['subject']>): boolean {
  const sha256 = subject.sha256?.toLowerCase();
  return record.subjects.some(
    (candidate) =>
      (subject.name === undefined || candidate.name === subject.name) &&
      (sha256 === undefined || candidate.digest.sha256.toLowerCase() === sha256),
  );
}

/**
 * The first measurement with one of the selector's names (in the selector's order) and its slice. A measurement's
 * slice is its own or else the evidence context's; a selector without a slice reads only unsliced measurements.
 */
export function findMeasurement(record: EvidenceRecord, selector: Selector): Measurement | undefined {
  const contextSlice = record.predicate.context.slice;
  for (const name of metricNamesOf(selector)) {
    const found = record.predicate.measurements.find(
      (measurement) => measurement.name === name && (measurement.slice ?? contextSlice) === selector.slice,
    );
    if (found) return found;
  }
  return undefined;
}

/**
 * The evidence a selector reads: its kind, dataset, split, producer tool and subject when the selector names them,
 * and a measurement the selector accepts. Other evidence is irrelevant to the requirement, never an error.
 */
export function isSelectable(record: EvidenceRecord, selector: Selector): boolean {
  const { kind, context, producer } = record.predicate;
  return (
    kind === selector.kind &&
    (selector.dataset === undefined || context.dataset === selector.dataset) &&
    (selector.split === undefined || context.split === selector.split) &&
    (selector.tool === undefined || asList(selector.tool).includes(producer.tool)) &&
    (selector.subject === undefined || isAbout(record, selector.subject)) &&
    findMeasurement(record, selector) !== undefined
  );
}

/** `accuracy{dataset=holdout,split=test}`: the metric (the name read, or the first accepted) and its qualifiers. */
export function selectorLabel(selector: Selector, name: string = metricNamesOf(selector)[0]!): string {
  const qualifiers = (['dataset', 'split', 'slice'] as const)
    .filter((key) => selector[key] !== undefined)
    .map((key) => `${key}=${selector[key]}`);
  return qualifiers.length === 0 ? name : `${name}{${qualifiers.join(',')}}`;
}

export function describeSelection(selector: Selector): string {
  const names = metricNamesOf(selector)
    .map((name) => `'${name}'`)
    .join(' or ');
  const qualifiers = [
    selector.dataset && `dataset ${selector.dataset}`,
    selector.split && `split ${selector.split}`,
    selector.slice && `slice ${selector.slice}`,
    selector.tool && `from ${asList(selector.tool).join(' or ')}`,
    selector.subject && `about ${selector.subject.name ?? selector.subject.sha256}`,
  ].filter(Boolean);
  return `${selector.kind} evidence with a measurement ${names}${qualifiers.length > 0 ? ` (${qualifiers.join(', ')})` : ''}`;
}

export type ReadValue = { value: DetailScalar; name: string } | { error: string };

export function readMeasurement(record: EvidenceRecord, selector: Selector): ReadValue {
  const measurement = findMeasurement(record, selector);
  if (measurement === undefined) {
    return { error: `evidence ${record.id} has no measurement '${selectorLabel(selector)}'` };
  }
  return { value: measurement.value, name: measurement.name };
}

/** A measured value a calculation can use: a finite number, not a string, boolean, null or NaN. */
export function readNumber(record: EvidenceRecord, selector: Selector): { value: number } | { error: string } {
  const read = readMeasurement(record, selector);
  if ('error' in read) return read;
  return typeof read.value === 'number' && Number.isFinite(read.value)
    ? { value: read.value }
    : {
        error: `${selectorLabel(selector, read.name)} in evidence ${record.id} is ${describeValue(read.value)}, not a finite number`,
      };
}
