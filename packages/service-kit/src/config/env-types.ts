import { z } from 'zod';
import { parseDuration } from '@cabc/contracts';

export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const envBoolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A duration such as `500ms`, `30s`, `5m`, `2h`, `7d`, `PT1H`, or a bare number of milliseconds; parsed to milliseconds. */
export const envDuration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const parsed = parseDuration(value, { milliseconds: true, bareMilliseconds: true, zero: true });
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m or 2h, got "${value}"` });
        return z.NEVER;
      }
      return parsed.ms;
    });
