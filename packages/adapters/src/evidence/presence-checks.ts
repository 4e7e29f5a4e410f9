import type { Check } from '@cabc/contracts';
import { check } from './items.ts';
import { isPresent } from './values.ts';

/**
 * One `present:<field>` check per documentation field: `pass` when filled in, `warn` when missing. Missing is not
 * `fail` because whether a field is required is the scope's decision, not the adapter's.
 */
export function presenceChecks(fields: Record<string, unknown>): Check[] {
  return Object.entries(fields).map(([field, value]) =>
    isPresent(value)
      ? check(`present:${field}`, 'pass')
      : check(`present:${field}`, 'warn', `${field} is not filled in`),
  );
}
