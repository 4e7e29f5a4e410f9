import { z } from 'zod';

export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `500ms`, `30s`, `5m`, `2h`, `7d`, or a bare number of milliseconds; parsed to milliseconds. */
export const envDuration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m or 2h, got "${value}"` });
        return z.NEVER;
      }
      return Number(match[1]) * (durationUnits[match[2] ?? 'ms'] ?? 1);
    });
