import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '@cabc/auth';
import { expectProblem, partyIssuers, type MisdirectedToken, type Party } from '@cabc/testing';
import { startCertificationApp, type CertificationFixture } from './support/certification-app.ts';
import { auditor } from './support/scenario.ts';

interface Target {
  toe: string;
  certificationId: string;
  certificateId: string;
}

interface Endpoint {
  name: string;
  /** How a caller of another organization is answered when its role is allowed. */
  otherOrganization: 'not found' | 'sees none of it';
  request: (target: Target) => { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: Record<string, unknown> };
}

// Written out by hand, independently of the route declarations in src/: a change there must be made here too.
// Each row: who may call it, for a certificate of their token's organization; every other role is refused (403).
const allowed: Record<string, Role[]> = {
  'list certificates': ['auditee', 'auditor', 'certification_body', 'admin'],
  'read certificate': ['auditee', 'auditor', 'certification_body', 'admin'],
  'withdraw certificate': ['certification_body'],
  'list certifications': ['auditee', 'auditor', 'certification_body', 'admin'],
  'read certification': ['auditee', 'auditor', 'certification_body', 'admin'],
  'change policy': ['certification_body'],
  'read audit trail': ['certification_body', 'admin'],
  'read received callbacks': ['certification_body', 'admin'],
  'list webhook subscriptions': ['auditee', 'certification_body', 'admin'],
};

const endpoints: Endpoint[] = [
  {
    name: 'list certificates',
    otherOrganization: 'sees none of it',
    request: ({ toe }) => ({ method: 'GET', url: `/v1/certificates?toe=${toe}` }),
  },
  {
    name: 'read certificate',
    otherOrganization: 'not found',
    request: ({ certificateId }) => ({ method: 'GET', url: `/v1/certificates/${certificateId}` }),
  },
  {
    name: 'withdraw certificate',
    otherOrganization: 'not found',
    request: ({ certificateId }) => ({
      method: 'POST',
      url: `/v1/certificates/${certificateId}/withdraw`,
      payload: { comment: 'at the auditee’s request' },
    }),
  },
  {
    name: 'list certifications',
    otherOrganization: 'sees none of it',
    request: ({ toe }) => ({ method: 'GET', url: `/v1/certifications?toe=${toe}` }),
  },
  {
    name: 'read certification',
    otherOrganization: 'not found',
    request: ({ certificationId }) => ({ method: 'GET', url: `/v1/certifications/${certificationId}` }),
  },
  {
    name: 'change policy',
    otherOrganization: 'not found',
    request: ({ certificationId }) => ({
      method: 'PUT',
      url: `/v1/certifications/${certificationId}/policy`,
      payload: { policy: { gracePeriodMs: 86_400_000 }, comment: 'one day of grace' },
    }),
  },
  {
    name: 'read audit trail',
    otherOrganization: 'sees none of it',
    request: ({ toe }) => ({ method: 'GET', url: `/v1/audit-events?targetId=${toe}` }),
  },
  {
    name: 'read received callbacks',
    otherOrganization: 'sees none of it',
    request: ({ toe }) => ({ method: 'GET', url: `/v1/received-callbacks?toe=${toe}` }),
  },
  {
    name: 'list webhook subscriptions',
    otherOrganization: 'sees none of it',
    request: () => ({ method: 'GET', url: '/v1/webhooks/subscriptions' }),
  },
];

/** Tokens that are not this service's to accept: minted for another service (401), or by another party's IdP (403). */
const misdirected: MisdirectedToken[] = [
  { name: "the auditee's token for the assessment", status: 401, role: 'auditee', service: 'assessment' },
  { name: "the auditor's token for the assessment", status: 401, role: 'auditor', service: 'assessment' },
  { name: "a pipeline's token for the collector", status: 401, role: 'pipeline', service: 'collector' },
];
const wrongParty: { name: string; role: Role; asParty: Party }[] = [
  { name: "the auditee's IdP asserting certification_body", role: 'certification_body', asParty: 'auditee' },
  { name: "the auditor's IdP asserting certification_body", role: 'certification_body', asParty: 'auditor' },
];

describe('certification body authorization matrix: every endpoint × every role × own / other organization', () => {
  let fixture: CertificationFixture;
  let parties: Awaited<ReturnType<typeof partyIssuers>>;
  beforeAll(async () => {
    parties = await partyIssuers({ auditeeOrgs: ['acme', 'globex'] });
    fixture = await startCertificationApp({ env: parties.env });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  /** A ToE of acme with an approved scope and an issued certificate. */
  async function target(): Promise<Target> {
    const toe = `toe-${randomBytes(6).toString('hex')}`;
    const drive = auditor(fixture);
    const { certificationId } = await drive.approve(toe, 1, { org: 'acme' });
    const { certificateId } = await drive.posture(toe, 'compliant');
    return { toe, certificationId: certificationId!, certificateId: certificateId! };
  }

  /** What a refused call must leave as it was: certificates' states, policies, the audit trail. */
  const stored = async () =>
    (
      await sql<{ rows: string }>`
        select (select string_agg(state, ',' order by id) from certificates) || '/' ||
               (select md5(string_agg(decision_state::text, ',' order by id)) from certifications) || '/' ||
               (select count(*) from audit_events) as rows`.execute(fixture.infra.db)
    ).rows[0]!.rows;

  const call = async (endpoint: Endpoint, ids: Target, token: string) => {
    const request = endpoint.request(ids);
    return fixture.app.inject({ ...request, headers: { authorization: `Bearer ${token}` } });
  };

  // A refused token changes nothing, so one target serves every misdirected call.
  let shared: Promise<Target> | undefined;
  const sharedTarget = () => {
    shared ??= target();
    return shared;
  };

  for (const endpoint of endpoints) {
    for (const role of roles) {
      for (const org of ['acme', 'globex'] as const) {
        const own = org === 'acme';
        const permitted = allowed[endpoint.name]!.includes(role);
        const expectation = permitted ? (own ? 'allowed' : endpoint.otherOrganization) : 'forbidden';
        it(`${endpoint.name} as ${role} of ${own ? 'the owning' : 'another'} organization → ${expectation}`, async () => {
          const ids = await target();
          const before = await stored();
          const answer = await call(endpoint, ids, await parties.token(role, org, 'certification-body'));
          if (expectation === 'allowed') {
            expect(answer.statusCode, answer.body).toBeGreaterThanOrEqual(200);
            expect(answer.statusCode, answer.body).toBeLessThan(300);
            return;
          }
          if (expectation === 'sees none of it') {
            expect(answer.statusCode, answer.body).toBe(200);
            expect(answer.body).not.toContain(ids.toe);
          } else {
            expectProblem(answer, expectation === 'forbidden' ? 403 : 404);
          }
          expect(await stored()).toBe(before);
        });
      }
    }
    for (const token of misdirected) {
      it(`${endpoint.name} with ${token.name} → ${token.status}, nothing stored`, async () => {
        const ids = await sharedTarget();
        const before = await stored();
        expectProblem(
          await call(endpoint, ids, await parties.token(token.role, 'acme', token.service ?? 'certification-body')),
          token.status,
        );
        expect(await stored()).toBe(before);
      });
    }
    for (const token of wrongParty) {
      it(`${endpoint.name} with ${token.name} → 403, nothing stored`, async () => {
        const ids = await sharedTarget();
        const before = await stored();
        const bearer = await parties.token(token.role, 'acme', 'certification-body', token.asParty);
        expectProblem(await call(endpoint, ids, bearer), 403);
        expect(await stored()).toBe(before);
      });
    }
  }
});
