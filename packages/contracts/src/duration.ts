const MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const shortForm = /^(\d+)(ms|s|m|h|d|w)$/;
const isoForm = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const isoWithCalendarUnits = /^P(?:\d+Y)?(?:\d+M)?/;

export type ParsedDuration = { ms: number } | { error: string };

/**
 * What a duration may be written as where it is read. The default is the grammar of scope documents (positive, no
 * milliseconds); operator settings (environment variables, CLI options) also take `ms`, zero and, for environment
 * variables, a bare number of milliseconds.
 */
export interface DurationOptions {
  /** `500ms`. */
  milliseconds?: boolean;
  /** `250`: a number without unit, read as milliseconds. */
  bareMilliseconds?: boolean;
  /** `0s`: a zero duration (e.g. "off"). */
  zero?: boolean;
}

/**
 * Parses an ISO 8601 duration (`P30D`, `PT12H`, `P1W`, `P1DT6H`) or a short form (`30d`, `12h`, `90m`, `2w`, `45s`;
 * `m` is minutes) into milliseconds. Years and months are refused: their length depends on the calendar, so a window
 * written with them would not mean one fixed span of time. The one duration parser of the platform.
 */
export function parseDuration(input: string, options: DurationOptions = {}): ParsedDuration {
  const text = options.milliseconds || options.bareMilliseconds ? input.trim() : input;
  if (options.bareMilliseconds && /^\d+$/.test(text)) return bounded(Number(text), text, options);
  const short = shortForm.exec(text);
  if (short && (short[2] !== 'ms' || options.milliseconds)) {
    return bounded(Number(short[1]) * MS[short[2] as keyof typeof MS], text, options);
  }

  const iso = isoForm.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [, weeks, days, hours, minutes, seconds] = iso;
    const ms =
      Number(weeks ?? 0) * MS.w +
      Number(days ?? 0) * MS.d +
      Number(hours ?? 0) * MS.h +
      Number(minutes ?? 0) * MS.m +
      Number(seconds ?? 0) * MS.s;
    return bounded(ms, text, options);
  }
  const calendar = isoWithCalendarUnits.exec(text);
  if (calendar && calendar[0] !== 'P') {
    return { error: `'${text}' uses years or months, whose length varies; use weeks, days or hours (e.g. P30D)` };
  }
  const examples = options.milliseconds ? '500ms, 30s, 5m, 8h, 7d' : '30d, 12h, 90m, 2w';
  return { error: `'${text}' is not a duration; use ISO 8601 (P30D, PT12H) or a short form (${examples})` };
}

function bounded(ms: number, text: string, options: DurationOptions): ParsedDuration {
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded) || rounded < 0 || (rounded === 0 && !options.zero)) {
    return { error: `'${text}' must be a ${options.zero ? 'finite' : 'positive, finite'} duration` };
  }
  return { ms };
}
