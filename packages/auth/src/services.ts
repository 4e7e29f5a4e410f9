import type { Role } from './principal.ts';

/** The three CABC services; each is its own token audience, so a token for one is refused by the others. */
export const serviceNames = ['collector', 'assessment', 'certification-body'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** Default `aud` of each service (AUTH_AUDIENCE overrides it). */
export const defaultAudiences: Record<ServiceName, string> = {
  collector: 'cabc-collector',
  assessment: 'cabc-assessment',
  'certification-body': 'cabc-certification-body',
};

/** The service a role mostly works at: where `cabc token` and the platform's test helper aim a token by default. */
export const defaultServiceOfRole: Record<Role, ServiceName> = {
  pipeline: 'collector',
  auditee: 'assessment',
  auditor: 'assessment',
  certification_body: 'certification-body',
  admin: 'collector',
};
