import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '@cabc/auth';
import { expectProblem, partyIssuers, type MisdirectedToken } from '@cabc/testing';
import { performanceEvidence, startCollectorApp, TEST_ORG, type CollectorFixture } from './support/collector-app.ts';

interface Endpoint {
  name: string;
  /** How a caller of another organization is answered when its role is allowed (COLLECTOR_ORG is acme). */
  otherOrganization: 'not found' | 'forbidden' | 'sees none of it';
  request: (evidenceId: string) => { method: 'GET' | 'POST'; url: string; payload?: string };
}

// Written out by hand, independently of the route declarations in src/: a change there must be made here too.
const allowed: Record<string, Role[]> = {
  'push evidence': ['pipeline', 'auditee'],
  'list evidence': ['pipeline', 'auditee'],
  'read evidence': ['pipeline', 'auditee'],
  'read envelope': ['pipeline', 'auditee'],
  'list signing keys': ['admin'],
  'ledger watch status': ['auditee', 'pipeline', 'admin'],
};

const endpoints: Endpoint[] = [
  {
    name: 'push evidence',
    otherOrganization: 'forbidden',
    request: () => ({ method: 'POST', url: '/v1/evidence', payload: JSON.stringify(performanceEvidence()) }),
  },
  {
    name: 'list evidence',
    otherOrganization: 'sees none of it',
    request: () => ({ method: 'GET', url: '/v1/evidence' }),
  },
  {
    name: 'read evidence',
    otherOrganization: 'not found',
    request: (id) => ({ method: 'GET', url: `/v1/evidence/${id}` }),
  },
  {
    name: 'read envelope',
    otherOrganization: 'not found',
    request: (id) => ({ method: 'GET', url: `/v1/evidence/${id}/envelope` }),
  },
  { name: 'list signing keys', otherOrganization: 'forbidden', request: () => ({ method: 'GET', url: '/v1/keys' }) },
  {
    name: 'ledger watch status',
    otherOrganization: 'sees none of it',
    request: () => ({ method: 'GET', url: '/v1/ledger-watch/status' }),
  },
];

/** Tokens that are not this service's to accept: minted for another service (401), or by another party's IdP (403). */
const misdirected: MisdirectedToken[] = [
  // Issue 12's reproduction: a token minted for the assessment service accepted by the collector's POST /v1/evidence.
  { name: "the auditee's token for the assessment", status: 401, role: 'auditee', service: 'assessment' },
  { name: "a pipeline's token for the assessment", status: 401, role: 'pipeline', service: 'assessment' },
  {
    name: "the auditee's token for the certification body",
    status: 401,
    role: 'auditee',
    service: 'certification-body',
  },
  { name: "the auditor's IdP asserting pipeline", status: 403, role: 'pipeline', asParty: 'auditor' },
  { name: "the certification body's IdP asserting admin", status: 403, role: 'admin', asParty: 'certification-body' },
];

describe('collector authorization matrix: every endpoint × every role × own / other organization', () => {
  let fixture: CollectorFixture;
  let parties: Awaited<ReturnType<typeof partyIssuers>>;
  let evidenceId: string;
  beforeAll(async () => {
    parties = await partyIssuers({ auditeeOrgs: [TEST_ORG, 'globex'] });
    fixture = await startCollectorApp({ env: parties.env });
    const pushed = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await parties.token('pipeline', TEST_ORG, 'collector')}`,
      },
      payload: JSON.stringify(performanceEvidence()),
    });
    expect(pushed.statusCode, pushed.body).toBe(201);
    evidenceId = pushed.json().id;
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const call = async (endpoint: Endpoint, token: string) =>
    fixture.app.inject({
      ...endpoint.request(evidenceId),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });

  for (const endpoint of endpoints) {
    for (const role of roles) {
      for (const org of [TEST_ORG, 'globex'] as const) {
        const own = org === TEST_ORG;
        const permitted = allowed[endpoint.name]!.includes(role);
        const expectation = permitted ? (own ? 'allowed' : endpoint.otherOrganization) : 'forbidden';
        it(`${endpoint.name} as ${role} of ${own ? 'the operating' : 'another'} organization → ${expectation}`, async () => {
          const before = await fixture.counts();
          const answer = await call(endpoint, await parties.token(role, org, 'collector'));
          if (expectation === 'allowed') {
            expect(answer.statusCode, answer.body).toBeGreaterThanOrEqual(200);
            expect(answer.statusCode, answer.body).toBeLessThan(300);
            return;
          }
          if (expectation === 'sees none of it') {
            expect(answer.statusCode, answer.body).toBe(200);
            expect(answer.body).not.toContain(evidenceId);
          } else {
            expectProblem(answer, expectation === 'forbidden' ? 403 : 404);
          }
          expect(await fixture.counts()).toEqual(before);
        });
      }
    }
    for (const token of misdirected) {
      it(`${endpoint.name} with ${token.name} → ${token.status}, nothing stored`, async () => {
        const before = await fixture.counts();
        const bearer = await parties.token(token.role, TEST_ORG, token.service ?? 'collector', token.asParty);
        expectProblem(await call(endpoint, bearer), token.status);
        expect(await fixture.counts()).toEqual(before);
      });
    }
  }
});
