const MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const shortForm = /^(\d+)(s|m|h|d|w)$/;
const isoForm = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const isoWithCalendarUnits = /^P(?:\d+Y)?(?:\d+M)?/;

export type ParsedDuration = { ms: number } | { error: string };

/**
 * Parses an ISO 8601 duration (`P30D`, `PT12H`, `P1W`, `P1DT6H`) or a short form (`30d`, `12h`, `90m`, `2w`, `45s`;
 * `m` is minutes). Years and months are refused: their length depends on the calendar, so a window written with
 * them would not mean one fixed span of time.
 */
export function parseDuration(text: string): ParsedDuration {
  const short = shortForm.exec(text);
  if (short) return positive(Number(short[1]) * MS[short[2] as keyof typeof MS], text);

  const iso = isoForm.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [, weeks, days, hours, minutes, seconds] = iso;
    const ms =
      Number(weeks ?? 0) * MS.w +
      Number(days ?? 0) * MS.d +
      Number(hours ?? 0) * MS.h +
      Number(minutes ?? 0) * MS.m +
      Number(seconds ?? 0) * MS.s;
    return positive(ms, text);
  }
  const calendar = isoWithCalendarUnits.exec(text);
  if (calendar && calendar[0] !== 'P') {
    return { error: `'${text}' uses years or months, whose length varies; use weeks, days or hours (e.g. P30D)` };
  }
  return { error: `'${text}' is not a duration; use ISO 8601 (P30D, PT12H) or a short form (30d, 12h, 90m, 2w)` };
}

function positive(ms: number, text: string): ParsedDuration {
  if (!Number.isSafeInteger(Math.round(ms)) || ms <= 0)
    return { error: `'${text}' must be a positive, finite duration` };
  return { ms };
}
