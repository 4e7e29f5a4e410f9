import type { MeasurementValue } from './items.ts';

export interface ParsedMetricValue {
  value: MeasurementValue;
  unit?: string;
}

const numeric = /^[~≈]?\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(%)?$/;

/**
 * Reads metric values that cards write as text ("0.92", "~90.5%", "90.5 %"). Percentages keep their scale and get
 * the unit "%" (90.5, not 0.905), so the number is the one the author wrote and the unit says how to read it.
 * An approximation sign is dropped. Text that is not a number is kept as text.
 */
export function parseMetricValue(raw: unknown): ParsedMetricValue {
  if (typeof raw === 'number') return { value: Number.isFinite(raw) ? raw : null };
  if (typeof raw === 'boolean') return { value: raw };
  if (typeof raw !== 'string') return { value: null };
  const match = numeric.exec(raw.trim());
  if (!match?.[1]) return { value: raw.trim() === '' ? null : raw.trim() };
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return { value: raw.trim() };
  return match[2] ? { value, unit: '%' } : { value };
}

const plainNumber = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A value written as text by tools that store everything as strings (MLflow params): numbers become numbers. */
export function numberOrText(raw: unknown): MeasurementValue {
  if (typeof raw !== 'string') return parseMetricValue(raw).value;
  const text = raw.trim();
  const value = Number(text);
  return plainNumber.test(text) && Number.isFinite(value) ? value : raw;
}
