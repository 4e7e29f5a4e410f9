/*
 * Tool outputs write times in many shapes. All are turned into ISO 8601 UTC (`toISOString`). Times without an
 * offset are read as UTC: MLflow's `utc_time_created` is UTC by name, and Evidently/GE naive times carry no zone,
 * so UTC is the only reading that does not depend on the machine running the adapter.
 */

const naiveDateTime = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/;
const digits = /^\d+$/;

/** Milliseconds since the epoch, as a number or a string of digits (protobuf JSON writes int64 as strings). */
export function isoFromEpochMillis(value: unknown): string | undefined {
  const millis = typeof value === 'string' && digits.test(value) ? Number(value) : value;
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis <= 0) return undefined;
  return validIso(new Date(millis));
}

export function isoFromText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const naive = naiveDateTime.exec(text);
  if (naive) return validIso(new Date(`${naive[1]}T${naive[2]}Z`));
  if (dateOnly.test(text)) return validIso(new Date(`${text}T00:00:00Z`));
  const packed = compact.exec(text);
  if (packed) {
    const [, year, month, day, hour, minute, second, fraction] = packed;
    return validIso(new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction ?? ''}Z`));
  }
  // Anything else must carry its own offset; Date.parse would read other shapes in local time.
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  return validIso(new Date(text));
}

function validIso(date: Date): string | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
