import { defaultAudiences, mintToken, type Role, type ServiceName, type TrustedIssuer } from '@cabc/auth';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';

export type Party = 'auditee' | 'auditor' | 'certification-body';

/**
 * A token that is not a service's to accept, for the authorization matrices: minted for another `service` (401), or
 * by another party's IdP (`asParty`, 403). Without `service` it is for the service under test.
 */
export interface MisdirectedToken {
  name: string;
  status: 401 | 403;
  role: Role;
  org?: string;
  service?: ServiceName;
  asParty?: Party;
}

/** Which party's IdP asserts each role (docs/authorization.md). */
export const partyOfRole: Record<Role, Party> = {
  auditee: 'auditee',
  pipeline: 'auditee',
  admin: 'auditee',
  auditor: 'auditor',
  certification_body: 'certification-body',
};

/**
 * One IdP per party, as a deployment configures them (AUTH_ISSUERS): the auditee's for its own organizations and
 * roles, the auditor's and the certification body's for theirs. `token` mints as the role's own party by default;
 * `asParty` makes another party's IdP assert it (the wrong-party attack), `service` aims it at another audience.
 */
export async function partyIssuers(options: { auditeeOrgs: string[] }) {
  const keys: Record<Party, SigningKey> = {
    auditee: await generateSigningKey(),
    auditor: await generateSigningKey(),
    'certification-body': await generateSigningKey(),
  };
  const issuerOf = (party: Party) => `https://idp.${party}.example`;
  const issuers: TrustedIssuer[] = [
    {
      issuer: issuerOf('auditee'),
      party: 'auditee',
      jwks: { keys: [keys.auditee.publicJwk] },
      orgs: options.auditeeOrgs,
      roles: ['auditee', 'pipeline', 'admin'],
    },
    {
      issuer: issuerOf('auditor'),
      party: 'auditor',
      jwks: { keys: [keys.auditor.publicJwk] },
      orgs: ['*'],
      roles: ['auditor'],
    },
    {
      issuer: issuerOf('certification-body'),
      party: 'certification-body',
      jwks: { keys: [keys['certification-body'].publicJwk] },
      orgs: ['*'],
      roles: ['certification_body'],
    },
  ];
  return {
    env: { AUTH_ISSUERS: JSON.stringify(issuers) },
    token: (role: Role, org: string, service: ServiceName, asParty: Party = partyOfRole[role]): Promise<string> =>
      mintToken({
        issuer: issuerOf(asParty),
        audience: defaultAudiences[service],
        subject: `${role}@${org}`,
        org,
        role,
        ttlSeconds: 600,
        key: keys[asParty],
      }),
  };
}
