import { parseDuration } from '@cabc/contracts';

/** A duration option (`--ttl 8h`, `--timeout 500ms`) in milliseconds; throws with the reason when it is not one. */
export function durationOption(text: string): number {
  const parsed = parseDuration(text, { milliseconds: true, zero: true });
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.ms;
}
