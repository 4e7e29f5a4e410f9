import { roles, type Role } from './principal.ts';

/** Where a token carries the organization and the role: claim names, read as given or as a dotted path. */
export interface ClaimNames {
  org: string;
  role: string;
}

export const defaultClaimNames: ClaimNames = { org: 'org', role: 'role' };

/**
 * A claim by name: the member of that name when there is one (names such as `https://idp.example/org` hold dots),
 * else the dotted path (`realm_access.roles`), as identity providers nest them.
 */
export function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A role claim as a CABC role: a string, or from a list (groups, roles) the first member that is one. */
export function roleOf(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.find(
    (entry): entry is Role => typeof entry === 'string' && (roles as readonly string[]).includes(entry),
  );
}

/** The payload with `org` and `role` read from where the provider puts them (unchanged with the default names). */
export function withMappedClaims(payload: Record<string, unknown>, names: ClaimNames): Record<string, unknown> {
  return { ...payload, org: claimAt(payload, names.org), role: roleOf(claimAt(payload, names.role)) };
}
