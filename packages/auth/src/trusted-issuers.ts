import { z } from 'zod';
import { roleSchema } from './principal.ts';

const orgId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'an organization id: lowercase letters, digits, . _ -');

/** A public JWK, kept whole (its members are the key's business, checked when the key set is built). */
const publicJwkSchema = z.custom<{ kty: string }>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { kty?: unknown }).kty === 'string',
  'a JWK (an object with kty)',
);

/**
 * One identity provider a service trusts, and what it may speak for: the organizations (`*`: any) and the roles its
 * tokens may assert. A party's IdP is mapped to its own roles only (the auditee's IdP never asserts `auditor` or
 * `certification_body`), so a party that runs an IdP cannot mint another party's authority.
 */
export const trustedIssuerSchema = z.strictObject({
  /** The `iss` of its tokens; for OIDC discovery also the base of `/.well-known/openid-configuration`. */
  issuer: z.string().min(1).max(512),
  /** Who runs it (auditee, auditor, certification-body, ...): shown in refusals and logs. */
  party: z.string().min(1).max(64).optional(),
  /** Its keys inline (the local development issuer); otherwise `jwksUri`, otherwise OIDC discovery. */
  jwks: z.object({ keys: z.array(publicJwkSchema).min(1) }).optional(),
  jwksUri: z.url({ protocol: /^https?$/ }).optional(),
  orgs: z.array(z.union([z.literal('*'), orgId])).min(1),
  roles: z.array(roleSchema).min(1),
  /**
   * Where its tokens carry the organization and the role, when not in `org` and `role`: a claim name
   * (`https://idp.example/tenant`) or a dotted path (`realm_access.roles`); a role list gives its first CABC role.
   */
  claims: z.strictObject({ org: z.string().min(1).optional(), role: z.string().min(1).optional() }).optional(),
});
export type TrustedIssuer = z.output<typeof trustedIssuerSchema>;

export const trustedIssuersSchema = z
  .array(trustedIssuerSchema)
  .min(1)
  .refine((issuers) => new Set(issuers.map((entry) => entry.issuer)).size === issuers.length, {
    message: 'each issuer appears once',
  });

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Key sets travel over https only; plain http is accepted for loopback addresses (development), never elsewhere. */
export function transportOf(url: string): 'https' | 'loopback-http' {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return 'https';
  if (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname)) return 'loopback-http';
  throw new Error(`${url}: token issuer keys are fetched over https only (plain http only for loopback addresses)`);
}
