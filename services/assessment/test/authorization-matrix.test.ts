import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { roles, type Role } from '@cabc/auth';
import { generateSigningKey } from '@cabc/crypto';
import { partyIssuers } from '@cabc/testing';
import { scopeDigest } from '../src/modules/scopes/scopes.service.ts';
import { scopeDocumentSchema } from '../src/modules/scopes/scope-document.schema.ts';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';
import { call, toeInput } from './support/api.ts';
import { accuracyScope } from './support/seed.ts';

type ScopeState = 'draft' | 'submitted' | 'approved';

interface Endpoint {
  name: string;
  /** The state the scope version must be in for the call to succeed when it is allowed. */
  scopeState?: ScopeState;
  /** Whether the endpoint works on a resource of one organization (so another organization's caller gets 404). */
  ownedResource: boolean;
  request: (target: { toeId: string; evidenceId: string }) => { method: string; url: string; body?: unknown };
}

// Written out by hand, independently of the permission table in src/, so that a change there must be made here too.
// ✓ = allowed for a caller of the owning organization; every other cell must be refused.
const allowed: Record<string, Role[]> = {
  'create ToE': ['auditee'],
  'list ToEs': ['auditee', 'auditor', 'certification_body', 'admin'],
  'read ToE': ['auditee', 'auditor', 'certification_body', 'admin'],
  'update ToE': ['auditee'],
  'draft scope': ['auditee'],
  'list scopes': ['auditee', 'auditor', 'certification_body', 'admin'],
  'read scope': ['auditee', 'auditor', 'certification_body', 'admin'],
  'edit scope': ['auditee'],
  'submit scope': ['auditee'],
  'request changes': ['auditor'],
  'approve scope': ['auditor'],
  'reject scope': ['auditor'],
  'comment on scope': ['auditee', 'auditor'],
  'read posture': ['auditee', 'auditor', 'certification_body', 'admin'],
  'read evidence': ['auditee', 'auditor', 'admin'],
  'read audit trail': ['auditor', 'admin'],
  'record finding': ['auditor'],
  'list findings': ['auditee', 'auditor', 'certification_body', 'admin'],
  'list observations': ['auditee', 'auditor', 'admin'],
  'dry-run scope': ['auditee', 'auditor'],
  'read catalog': ['auditee', 'auditor', 'certification_body', 'admin'],
  'instantiate template': ['auditee', 'auditor', 'certification_body', 'admin'],
  'who am I': ['auditee', 'pipeline', 'auditor', 'certification_body', 'admin'],
  overview: ['auditee', 'auditor', 'certification_body', 'admin'],
  'list evidence of a ToE': ['auditee', 'auditor', 'admin'],
  'read evidence of a ToE': ['auditee', 'auditor', 'admin'],
  'read envelope': ['auditee', 'auditor', 'admin'],
  'result history': ['auditee', 'auditor', 'certification_body', 'admin'],
  'metrics catalog': ['auditee', 'auditor', 'certification_body', 'admin'],
  'metric series': ['auditee', 'auditor', 'certification_body', 'admin'],
  'OSCAL export': ['auditee', 'auditor', 'certification_body', 'admin'],
  'audit report': ['auditee', 'auditor', 'certification_body', 'admin'],
};

const endpoints: Endpoint[] = [
  {
    name: 'create ToE',
    ownedResource: false,
    request: () => ({ method: 'POST', url: '/v1/toes', body: toeInput('matrix') }),
  },
  { name: 'list ToEs', ownedResource: false, request: () => ({ method: 'GET', url: '/v1/toes' }) },
  { name: 'read ToE', ownedResource: true, request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}` }) },
  {
    name: 'update ToE',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'PATCH', url: `/v1/toes/${toeId}`, body: { owner: 'new owner' } }),
  },
  {
    name: 'draft scope',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'POST', url: `/v1/toes/${toeId}/scopes`, body: {} }),
  },
  {
    name: 'list scopes',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/scopes` }),
  },
  {
    name: 'read scope',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/scopes/1` }),
  },
  {
    name: 'edit scope',
    scopeState: 'draft',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'PUT', url: `/v1/toes/${toeId}/scopes/2`, body: { document: null } }),
  },
  {
    name: 'submit scope',
    scopeState: 'draft',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'POST', url: `/v1/toes/${toeId}/scopes/2/submit` }),
  },
  {
    name: 'request changes',
    scopeState: 'submitted',
    ownedResource: true,
    request: ({ toeId }) => ({
      method: 'POST',
      url: `/v1/toes/${toeId}/scopes/2/request-changes`,
      body: { comment: 'more' },
    }),
  },
  {
    name: 'approve scope',
    scopeState: 'submitted',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'POST', url: `/v1/toes/${toeId}/scopes/2/approve`, body: {} }),
  },
  {
    name: 'reject scope',
    scopeState: 'submitted',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'POST', url: `/v1/toes/${toeId}/scopes/2/reject`, body: { comment: 'no' } }),
  },
  {
    name: 'comment on scope',
    ownedResource: true,
    request: ({ toeId }) => ({
      method: 'POST',
      url: `/v1/toes/${toeId}/scopes/1/comments`,
      body: { body: 'a remark' },
    }),
  },
  {
    name: 'read posture',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/posture` }),
  },
  {
    name: 'read evidence',
    ownedResource: true,
    request: ({ evidenceId }) => ({ method: 'GET', url: `/v1/evidence/${evidenceId}` }),
  },
  { name: 'read audit trail', ownedResource: false, request: () => ({ method: 'GET', url: '/v1/audit-events' }) },
  {
    name: 'record finding',
    ownedResource: true,
    request: ({ toeId }) => ({
      method: 'POST',
      url: `/v1/toes/${toeId}/findings`,
      body: {
        requirementId: 'REQ-ACCURACY',
        status: 'compliant',
        justification: 'Reviewed by hand.',
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
  },
  {
    name: 'list findings',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/findings` }),
  },
  {
    name: 'dry-run scope',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'POST', url: `/v1/toes/${toeId}/scopes/1/dry-run` }),
  },
  { name: 'read catalog', ownedResource: false, request: () => ({ method: 'GET', url: '/v1/catalog' }) },
  {
    name: 'instantiate template',
    ownedResource: false,
    request: () => ({ method: 'POST', url: '/v1/catalog/templates/DQ-CHECKS-PASS/requirement', body: {} }),
  },
  { name: 'who am I', ownedResource: false, request: () => ({ method: 'GET', url: '/v1/session' }) },
  { name: 'overview', ownedResource: false, request: () => ({ method: 'GET', url: '/v1/overview' }) },
  {
    name: 'list evidence of a ToE',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/evidence` }),
  },
  {
    name: 'read evidence of a ToE',
    ownedResource: true,
    request: ({ toeId, evidenceId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/evidence/${evidenceId}` }),
  },
  {
    name: 'read envelope',
    ownedResource: true,
    request: ({ toeId, evidenceId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/evidence/${evidenceId}/envelope` }),
  },
  {
    name: 'result history',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/results` }),
  },
  {
    name: 'metrics catalog',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/metrics` }),
  },
  {
    name: 'metric series',
    ownedResource: true,
    request: ({ toeId }) => ({
      method: 'GET',
      url: `/v1/toes/${toeId}/metrics/series?kind=performance&metric=accuracy`,
    }),
  },
  {
    name: 'list observations',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/observations` }),
  },
  {
    name: 'OSCAL export',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/reports/oscal-ar` }),
  },
  {
    name: 'audit report',
    ownedResource: true,
    request: ({ toeId }) => ({ method: 'GET', url: `/v1/toes/${toeId}/reports/audit?format=html` }),
  },
];

type Service = 'collector' | 'assessment' | 'certification-body';

/**
 * Tokens a caller could present that are not this service's to accept, with the answer each must get on every
 * endpoint: a token minted for another service (wrong audience, 401), and one party's IdP asserting another party's
 * role or an organization it does not speak for (wrong party, 403).
 */
const misdirected: {
  name: string;
  status: 401 | 403;
  role: Role;
  org: string;
  service: Service;
  asParty?: 'auditee' | 'auditor' | 'certification-body';
}[] = [
  { name: "the auditee's token for the collector", status: 401, role: 'auditee', org: 'acme', service: 'collector' },
  {
    name: "the auditor's token for the certification body",
    status: 401,
    role: 'auditor',
    org: 'acme',
    service: 'certification-body',
  },
  { name: "a pipeline's token for the collector", status: 401, role: 'pipeline', org: 'acme', service: 'collector' },
  {
    name: "the auditee's IdP asserting auditor",
    status: 403,
    role: 'auditor',
    org: 'acme',
    service: 'assessment',
    asParty: 'auditee',
  },
  {
    name: "the certification body's IdP asserting auditor",
    status: 403,
    role: 'auditor',
    org: 'acme',
    service: 'assessment',
    asParty: 'certification-body',
  },
  {
    name: "the auditee's IdP speaking for an organization not its own",
    status: 403,
    role: 'auditee',
    org: 'initech',
    service: 'assessment',
  },
];

describe('authorization matrix: every endpoint × every role × own / other organization', () => {
  let fixture: AssessmentFixture;
  let parties: Awaited<ReturnType<typeof partyIssuers>>;
  beforeAll(async () => {
    parties = await partyIssuers({ auditeeOrgs: ['acme', 'globex'] });
    fixture = await startAssessmentApp({ env: parties.env });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  /** A ToE of org acme with an approved version 1 and, when asked, a version 2 in the given state, plus one evidence. */
  async function target(versionTwo: ScopeState | undefined) {
    const toeId = `toe_${randomBytes(10).toString('hex')}`;
    const db = fixture.infra.db;
    await db
      .insertInto('toes')
      .values({
        id: toeId,
        org: 'acme',
        name: 'matrix',
        business_purpose: 'x',
        field_of_operation: 'x',
        risk_class: 'high',
        owner: 'x',
        artifacts: JSON.stringify({ models: [], datasets: [] }),
        created_by: 'seed',
      })
      .execute();
    const document = scopeDocumentSchema.parse(accuracyScope([fixture.collectorKey]));
    const version = (number: number, state: string) => ({
      id: randomUUID(),
      toe_id: toeId,
      version: number,
      state,
      document: JSON.stringify(document),
      digest: scopeDigest(document),
      created_by: 'seed',
    });
    await db.insertInto('scope_versions').values(version(1, 'approved')).execute();
    if (versionTwo) await db.insertInto('scope_versions').values(version(2, versionTwo)).execute();
    // Seeded beside the services: the trusted-key cache must reread.
    fixture.assessment.keyIndex.invalidate();
    const accepted = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json' },
      payload: signedEnvelope(evidenceStatement({ toe: toeId, accuracy: Math.random() }), fixture.collectorKey),
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    return { toeId, evidenceId: accepted.json().evidenceId as string };
  }

  for (const endpoint of endpoints) {
    for (const role of roles) {
      for (const org of ['acme', 'globex'] as const) {
        const own = org === 'acme';
        const permitted = allowed[endpoint.name]!.includes(role);
        const expectation = permitted ? (own || !endpoint.ownedResource ? 'allowed' : 'not found') : 'forbidden';
        it(`${endpoint.name} as ${role} of ${own ? 'the owning' : 'another'} organization → ${expectation}`, async () => {
          const ids = await target(endpoint.scopeState ?? (endpoint.name === 'draft scope' ? undefined : 'draft'));
          const request = endpoint.request(ids);
          // Edits need a real document; the placeholder keeps the table short.
          const body =
            endpoint.name === 'edit scope' ? { document: accuracyScope([fixture.collectorKey], 0.91) } : request.body;
          const token = await parties.token(role, org, 'assessment');
          const answer = await call(fixture.app, request.method, request.url, token, body);
          if (expectation === 'allowed') {
            expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(200);
            expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
            if (!own && endpoint.name === 'list ToEs')
              expect(answer.body.items.map((toe: { id: string }) => toe.id)).not.toContain(ids.toeId);
            if (!own && endpoint.name === 'read audit trail')
              expect(answer.body.items.some((event: { toeId: string }) => event.toeId === ids.toeId)).toBe(false);
          } else {
            expect(answer.status, JSON.stringify(answer.body)).toBe(expectation === 'forbidden' ? 403 : 404);
            expect(answer.contentType).toContain('application/problem+json');
          }
        });
      }
    }
  }

  /** Rows a refused call must leave as they were. */
  const stored = async () =>
    (
      await sql<{ rows: string }>`
        select (select count(*) from toes) || '/' || (select count(*) from scope_versions) || '/' ||
               (select count(*) from manual_findings) || '/' || (select count(*) from audit_events) as rows`.execute(
        fixture.infra.db,
      )
    ).rows[0]!.rows;

  // A refused token changes nothing, so one target per scope state serves every misdirected call.
  const shared = new Map<ScopeState | undefined, Promise<{ toeId: string; evidenceId: string }>>();
  const sharedTarget = (state: ScopeState | undefined) => {
    if (!shared.has(state)) shared.set(state, target(state));
    return shared.get(state)!;
  };

  for (const endpoint of endpoints) {
    for (const token of misdirected) {
      it(`${endpoint.name} with ${token.name} → ${token.status}, nothing stored`, async () => {
        const ids = await sharedTarget(endpoint.scopeState ?? (endpoint.name === 'draft scope' ? undefined : 'draft'));
        const request = endpoint.request(ids);
        const before = await stored();
        const bearer = await parties.token(token.role, token.org, token.service, token.asParty);
        const answer = await call(fixture.app, request.method, request.url, bearer, request.body);
        expect(answer.status, JSON.stringify(answer.body)).toBe(token.status);
        expect(answer.contentType).toContain('application/problem+json');
        expect(await stored()).toBe(before);
      });
    }
  }

  it('never accepts evidence on the strength of a bearer token: only a collector key approved in the scope signs it', async () => {
    const { toeId } = await target(undefined);
    const stranger = await generateSigningKey();
    const answer = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await parties.token('auditor', 'acme', 'assessment')}`,
      },
      payload: signedEnvelope(evidenceStatement({ toe: toeId }), stranger),
    });
    expect(answer.statusCode).toBe(403);
  });
});
