import { z } from 'zod';

export const roles = ['auditee', 'pipeline', 'auditor', 'certification_body', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling: a verified token's subject, the one organization it is scoped to, and its role. */
export interface Principal {
  subject: string;
  org: string;
  role: Role;
  tokenId: string | undefined;
}

export const accessTokenClaimsSchema = z.looseObject({
  sub: z.string().min(1).max(256),
  org: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'an organization id: lowercase letters, digits, . _ -'),
  role: roleSchema,
  jti: z.string().max(128).optional(),
});
