import { sql } from 'kysely';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE_DECISION_TYP, scopeDecisionClaimsSchema } from '@cabc/contracts';
import { generateSigningKey } from '@cabc/crypto';
import { startAssessmentApp, type AssessmentFixture } from './support/assessment-app.ts';
import { call, toeInput } from './support/api.ts';
import { accuracyScope } from './support/seed.ts';
import { evidenceStatement, signedEnvelope } from './support/assessment-app.ts';
import { createEvaluationRepository } from '../src/modules/evaluation/evaluation.repository.ts';
import { createInForceScopes } from '../src/modules/evaluation/in-force-scope.ts';
import { createScopesRepository } from '../src/modules/scopes/scopes.repository.ts';
import { createSendTimeSigner, UNSIGNED_CALLBACK_CONTENT_TYPE } from '../src/modules/callbacks/send-time-signing.ts';

describe('initialization phase: ToE, scope versions, review workflow, audit trail', () => {
  let fixture: AssessmentFixture;
  let auditee: string;
  let auditor: string;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    auditee = await fixture.token('auditee');
    auditor = await fixture.token('auditor');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const api = (method: string, url: string, token: string | undefined, body?: unknown) =>
    call(fixture.app, method, url, token, body);
  const newToe = async (name = 'credit-scoring') => {
    const created = await api('POST', '/v1/toes', auditee, toeInput(name));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  const draft = async (toeId: string, document: unknown = accuracyScope([fixture.collectorKey])) =>
    api('POST', `/v1/toes/${toeId}/scopes`, auditee, { document });
  const auditTrail = async (toeId: string) =>
    (await api('GET', `/v1/audit-events?toe=${toeId}&limit=200`, auditor)).body.items as {
      action: string;
      role: string;
      beforeDigest: string | null;
      afterDigest: string | null;
      comment: string | null;
    }[];

  it('walks draft → submitted → changes_requested → submitted → approved, with comments and an audit event per step', async () => {
    const toeId = await newToe();
    const drafted = await draft(toeId);
    expect(drafted.status).toBe(201);
    expect(drafted.body).toMatchObject({ toeId, version: 1, state: 'draft' });
    expect(drafted.body.digest).toMatch(/^[0-9a-f]{64}$/);

    const base = `/v1/toes/${toeId}/scopes/1`;
    expect((await api('POST', `${base}/submit`, auditee)).body.state).toBe('submitted');
    const comment = await api('POST', `${base}/comments`, auditor, {
      requirementId: 'REQ-ACCURACY',
      body: 'Which holdout set is this measured on?',
    });
    expect(comment.status).toBe(201);
    expect(
      (await api('POST', `${base}/request-changes`, auditor, { comment: 'Name the dataset in the measurements.' })).body
        .state,
    ).toBe('changes_requested');
    const edited = accuracyScope([fixture.collectorKey], 0.92);
    const afterEdit = await api('PUT', base, auditee, { document: edited });
    expect(afterEdit.body.state).toBe('changes_requested');
    expect(afterEdit.body.digest).not.toBe(drafted.body.digest);
    expect((await api('POST', `${base}/submit`, auditee)).body.state).toBe('submitted');
    const approved = await api('POST', `${base}/approve`, auditor, { comment: 'Adequate.' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'auditor-1', digest: afterEdit.body.digest });

    const detail = await api('GET', base, auditee);
    expect(
      detail.body.comments.map((c: { requirementId: string | null; body: string }) => [c.requirementId, c.body]),
    ).toEqual([
      ['REQ-ACCURACY', 'Which holdout set is this measured on?'],
      [null, 'Name the dataset in the measurements.'],
    ]);

    const trail = await auditTrail(toeId);
    expect(trail.map((event) => `${event.role}:${event.action}`)).toEqual([
      'auditee:toe.created',
      'auditee:scope.drafted',
      'auditee:scope.submit',
      'auditor:scope.commented',
      'auditor:scope.request_changes',
      'auditee:scope.edited',
      'auditee:scope.submit',
      'auditor:scope.approve',
    ]);
    const editEvent = trail.find((event) => event.action === 'scope.edited')!;
    expect(editEvent).toMatchObject({ beforeDigest: drafted.body.digest, afterDigest: afterEdit.body.digest });
    expect(trail.find((event) => event.action === 'scope.approve')!.comment).toBe('Adequate.');
  });

  it('puts the approval for the certification body in the outbox with the scope digest, signed at each send', async () => {
    const toeId = await newToe('approval-message');
    await draft(toeId);
    await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    const approved = await api('POST', `/v1/toes/${toeId}/scopes/1/approve`, auditor, {});
    const row = (await fixture.assessment.repositories.outbox.find(
      (
        await sql<{ id: number }>`select id from outbox where ordering_key = ${toeId} order by id`.execute(
          fixture.infra.db,
        )
      ).rows[0]!.id,
    ))!;
    expect(row.topic).toBe('certification-body');
    expect(row.destination).toMatch(/\/v1\/callbacks\/scope$/);
    // Stored unsigned: the delivery signs at each attempt with the time of that attempt.
    expect(row.contentType).toBe(UNSIGNED_CALLBACK_CONTENT_TYPE);
    expect(JSON.parse(row.body).claims.iat).toBeUndefined();
    let clock = Date.now();
    const sign = createSendTimeSigner({ keys: fixture.infra.keys, now: () => clock });
    const first = await sign(row);
    clock += 3_600_000;
    const retried = await sign(row);
    expect(first.contentType).toBe('application/jose');
    const jwks = createLocalJWKSet((await api('GET', '/.well-known/jwks.json', undefined)).body);
    const { payload, protectedHeader } = await jwtVerify(first.body, jwks, {
      audience: 'certification-body',
      issuer: 'cabc-assessment',
    });
    const again = decodeJwt(retried.body);
    expect(again.iat).toBe(payload.iat! + 3600);
    expect(again.jti).toBe(payload.jti);
    expect(protectedHeader.typ).toBe(SCOPE_DECISION_TYP);
    const claims = scopeDecisionClaimsSchema.parse(payload);
    expect(claims).toMatchObject({
      type: 'scope.approved',
      toe: toeId,
      org: 'acme',
      scopeVersion: 1,
      scopeDigest: approved.body.digest,
    });
    expect(claims.requirements).toEqual([
      { id: 'REQ-ACCURACY', title: 'Accuracy at least 0.9', severity: 'critical', critical: true },
    ]);
  });

  it('keeps the approved version in force while a new one is drafted, and supersedes it on the next approval', async () => {
    const toeId = await newToe('versions');
    await draft(toeId);
    await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    await api('POST', `/v1/toes/${toeId}/scopes/1/approve`, auditor, {});
    const second = await api('POST', `/v1/toes/${toeId}/scopes`, auditee, {});
    expect(second.body).toMatchObject({ version: 2, state: 'draft' });
    expect(second.body.document).toEqual((await api('GET', `/v1/toes/${toeId}/scopes/1`, auditee)).body.document);
    expect((await api('GET', `/v1/toes/${toeId}/scopes/1`, auditee)).body.state).toBe('approved');
    await api('PUT', `/v1/toes/${toeId}/scopes/2`, auditee, { document: accuracyScope([fixture.collectorKey], 0.95) });
    await api('POST', `/v1/toes/${toeId}/scopes/2/submit`, auditee);
    await api('POST', `/v1/toes/${toeId}/scopes/2/approve`, auditor, {});
    const versions = (await api('GET', `/v1/toes/${toeId}/scopes`, auditor)).body.items.map(
      (v: { version: number; state: string }) => [v.version, v.state],
    );
    expect(versions).toEqual([
      [1, 'superseded'],
      [2, 'approved'],
    ]);
    const { rows } = await sql<{
      body: string;
    }>`select body from outbox where ordering_key = ${toeId} order by id`.execute(fixture.infra.db);
    const types = rows.map((row) => JSON.parse(row.body).claims.type);
    expect(types).toEqual(['scope.approved', 'scope.superseded', 'scope.approved']);
  });

  it('refuses forbidden transitions with 409 and the current state, changing nothing', async () => {
    const toeId = await newToe('forbidden');
    await draft(toeId);
    const base = `/v1/toes/${toeId}/scopes/1`;
    const expectConflict = async (answer: Promise<{ status: number; body: any }>, state: string) => {
      const { status, body } = await answer;
      expect(status).toBe(409);
      expect(body.currentState).toBe(state);
    };
    await expectConflict(api('POST', `${base}/approve`, auditor, {}), 'draft');
    await expectConflict(api('POST', `${base}/reject`, auditor, { comment: 'no' }), 'draft');
    await expectConflict(api('POST', `${base}/request-changes`, auditor, { comment: 'no' }), 'draft');
    await api('POST', `${base}/submit`, auditee);
    await expectConflict(api('POST', `${base}/submit`, auditee), 'submitted');
    await expectConflict(api('PUT', base, auditee, { document: accuracyScope([fixture.collectorKey]) }), 'submitted');
    await api('POST', `${base}/approve`, auditor, {});
    await expectConflict(api('PUT', base, auditee, { document: accuracyScope([fixture.collectorKey]) }), 'approved');
    await expectConflict(api('POST', `${base}/approve`, auditor, {}), 'approved');
    await expectConflict(api('POST', `${base}/reject`, auditor, { comment: 'late' }), 'approved');
    expect((await api('GET', base, auditee)).body.state).toBe('approved');
    // Only one version may be open at a time.
    await draft(toeId);
    const conflict = await draft(toeId);
    expect(conflict.status).toBe(409);
    expect(conflict.body.currentState).toBe('draft');
    // Rejection is final for that version.
    const rejected = await newToe('rejected');
    await draft(rejected);
    await api('POST', `/v1/toes/${rejected}/scopes/1/submit`, auditee);
    expect(
      (await api('POST', `/v1/toes/${rejected}/scopes/1/reject`, auditor, { comment: 'Risks missing.' })).body.state,
    ).toBe('rejected');
    await expectConflict(api('POST', `/v1/toes/${rejected}/scopes/1/submit`, auditee), 'rejected');
  });

  it('answers 422 naming the field for invalid scope documents, storing nothing', async () => {
    const toeId = await newToe('invalid-docs');
    const valid = accuracyScope([fixture.collectorKey]);
    const requirement = valid.requirements[0]!;
    const cases: [string, unknown, string][] = [
      [
        'unknown rule type',
        { ...valid, requirements: [{ ...requirement, rule: { type: 'vibes' } }] },
        'requirements.0.rule.type',
      ],
      [
        'unknown operator',
        { ...valid, requirements: [{ ...requirement, rule: { ...(requirement.rule as object), operator: '≈' } }] },
        'requirements.0.rule.operator',
      ],
      [
        'dangling risk',
        { ...valid, requirements: [{ ...requirement, mitigates: ['R-NOPE'] }] },
        'requirements.0.mitigates.0',
      ],
      ['malformed JWK', { ...valid, collectorKeys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] }, 'collectorKeys.0'],
      ['duplicate requirement ids', { ...valid, requirements: [requirement, requirement] }, 'requirements.1.id'],
      [
        'measurement of no requirement',
        {
          ...valid,
          measurements: [{ requirementId: 'NOPE', evidenceKinds: ['performance'], expectedFrequency: '1d' }],
        },
        'measurements.0.requirementId',
      ],
      [
        'bad CEL',
        {
          ...valid,
          requirements: [
            {
              ...requirement,
              rule: {
                type: 'expression',
                expression: 'latest.performance.metrics["accuracy"] >',
                kinds: ['performance'],
              },
            },
          ],
        },
        'requirements.0.rule.expression',
      ],
      [
        'bad freshness window',
        { ...valid, requirements: [{ ...requirement, freshness: 'soon' }] },
        'requirements.0.freshness',
      ],
    ];
    for (const [label, document, field] of cases) {
      const answer = await draft(toeId, document);
      expect(answer.status, label).toBe(422);
      expect(answer.contentType).toContain('application/problem+json');
      expect(
        answer.body.errors.map((error: { field: string }) => error.field),
        label,
      ).toContain(field);
    }
    expect((await api('GET', `/v1/toes/${toeId}/scopes`, auditee)).body.items).toEqual([]);
  });

  it('refuses to submit a scope without collector keys', async () => {
    const toeId = await newToe('no-keys');
    await draft(toeId, accuracyScope([]));
    const answer = await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    expect(answer.status).toBe(422);
    expect(answer.body.errors[0].field).toBe('collectorKeys');
  });

  it('keeps the audit trail and approved versions unchangeable in the database itself', async () => {
    const toeId = await newToe('immutable');
    await draft(toeId);
    await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    await api('POST', `/v1/toes/${toeId}/scopes/1/approve`, auditor, {});
    await expect(
      sql`update audit_events set comment = 'rewritten' where toe_id = ${toeId}`.execute(fixture.infra.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events where toe_id = ${toeId}`.execute(fixture.infra.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      sql`update scope_versions set document = '{}'::jsonb where toe_id = ${toeId} and version = 1`.execute(
        fixture.infra.db,
      ),
    ).rejects.toThrow(/immutable/);
  });

  it('never assesses evidence signed by a key the approved version does not list', async () => {
    const toeId = await newToe('key-swap');
    const intruderKey = await generateSigningKey();
    await draft(toeId);
    await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    await api('POST', `/v1/toes/${toeId}/scopes/1/request-changes`, auditor, { comment: 'more detail' });
    // While the version is back with the auditee, it lists a key of its own and signs evidence with it ...
    await api('PUT', `/v1/toes/${toeId}/scopes/1`, auditee, {
      document: accuracyScope([fixture.collectorKey, intruderKey]),
    });
    const forged = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json' },
      payload: signedEnvelope(evidenceStatement({ toe: toeId, accuracy: 0.99 }), intruderKey),
    });
    expect(forged.statusCode).toBe(201);
    // ... then removes the key again before the auditor approves.
    await api('PUT', `/v1/toes/${toeId}/scopes/1`, auditee, { document: accuracyScope([fixture.collectorKey]) });
    await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, auditee);
    await api('POST', `/v1/toes/${toeId}/scopes/1/approve`, auditor, {});
    const inForce = await createInForceScopes(createScopesRepository(fixture.infra.db)).of(toeId);
    const readable = await createEvaluationRepository(fixture.infra.db).evidenceFor(
      toeId,
      [{ kind: 'performance', depth: 10 }],
      inForce!.collectorKeyIds,
      [],
    );
    expect(readable).toEqual([]);
  });

  it('answers 401 for expired, unsigned and foreign-issuer tokens', async () => {
    const stranger = await generateSigningKey();
    const claims = { org: 'acme', role: 'auditee' };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setIssuer(fixture.config.AUTH_ISSUER)
      .setAudience(fixture.config.AUTH_AUDIENCE)
      .setSubject('someone')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(stranger.privateKey);
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setIssuer(fixture.config.AUTH_ISSUER)
      .setAudience(fixture.config.AUTH_AUDIENCE)
      .setSubject('someone')
      .setExpirationTime('1h')
      .sign(stranger.privateKey);
    const unsigned = new UnsecuredJWT(claims)
      .setIssuer(fixture.config.AUTH_ISSUER)
      .setAudience(fixture.config.AUTH_AUDIENCE)
      .setSubject('x')
      .setExpirationTime('1h')
      .encode();
    for (const [label, token] of [
      ['expired', expired],
      ['foreign issuer key', foreign],
      ['unsigned', unsigned],
      ['garbage', 'not-a-token'],
    ] as const) {
      const answer = await api('GET', '/v1/toes', token);
      expect(answer.status, label).toBe(401);
      expect(answer.contentType).toContain('application/problem+json');
    }
    expect((await api('GET', '/v1/toes', undefined)).status).toBe(401);
  });
});
