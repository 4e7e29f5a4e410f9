import { decodeJwt } from 'jose';

export type DashboardService = 'assessment' | 'certification' | 'collector';

/** The audience of each service's tokens (the services' AUTH_AUDIENCE defaults). */
export const defaultServiceAudiences: Record<DashboardService, string> = {
  assessment: 'cabc-assessment',
  certification: 'cabc-certification-body',
  collector: 'cabc-collector',
};

/**
 * Whether the request's bearer token is one for `audience`. The dashboard never verifies tokens (the services do),
 * but it passes a service only a token minted for that service, so one service's token never reaches another.
 * No token at all is passed on as no token.
 */
export function carriesTokenFor(authorization: string | undefined, audience: string): boolean {
  if (!authorization) return true;
  const token = /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(authorization)?.[1];
  if (!token) return false;
  try {
    const { aud } = decodeJwt(token);
    return Array.isArray(aud) ? aud.length === 1 && aud[0] === audience : aud === audience;
  } catch {
    return false;
  }
}
