import type { Check, Measurement } from '@cabc/contracts';
import { clipText } from './text.ts';

export type MeasurementValue = Measurement['value'];
export type CheckStatus = Check['status'];

const NAME_MAX = 256;
const STRING_VALUE_MAX = 1024;
const DETAIL_MAX = 4096;

export interface MeasurementOptions {
  unit?: string | undefined;
  slice?: string | undefined;
}

/** A measurement within the predicate's limits: long text is clipped, non-finite numbers become null. */
export function measurement(name: string, value: unknown, options: MeasurementOptions = {}): Measurement {
  const result: Measurement = { name: label(name), value: measurementValue(value) };
  if (options.unit) result.unit = label(options.unit);
  if (options.slice) result.slice = label(options.slice);
  return result;
}

export function check(name: string, status: CheckStatus, detail?: string): Check {
  const result: Check = { name: label(name), status };
  if (detail) result.detail = clipText(detail, DETAIL_MAX);
  return result;
}

function measurementValue(value: unknown): MeasurementValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return clipText(value, STRING_VALUE_MAX);
  if (typeof value === 'boolean') return value;
  return null;
}

function label(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? '(unnamed)' : clipText(trimmed, NAME_MAX);
}
