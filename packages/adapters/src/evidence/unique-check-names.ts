import type { Check } from '@cabc/contracts';
import { clipText } from './text.ts';

/** Rules address checks by name, so a repeated name gets ` #2`, ` #3`… in file order. */
export function withUniqueCheckNames(checks: Check[]): Check[] {
  const counts = new Map<string, number>();
  return checks.map((item) => {
    const seen = (counts.get(item.name) ?? 0) + 1;
    counts.set(item.name, seen);
    if (seen === 1) return item;
    const suffix = ` #${seen}`;
    return { ...item, name: `${clipText(item.name, 256 - suffix.length)}${suffix}` };
  });
}
