import { createLocalJWKSet, jwtVerify } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '@cabc/testing';
import { REASON_CODES } from '../src/domain/index.ts';
import {
  bearer,
  postCallback,
  postureClaims,
  signedCallback,
  startCertificationApp,
  testClock,
  type CertificationFixture,
} from './support/certification-app.ts';
import { auditor, certificateOf, DAY, getAs } from './support/scenario.ts';

const path = (certificate: { history: { from: string; to: string; reasonCode: number }[] }) =>
  certificate.history.map((entry) => `${entry.from}->${entry.to}:${entry.reasonCode}`);

describe('certification lifecycle, end to end through the callbacks (controllable clock)', () => {
  const clock = testClock();
  let fixture: CertificationFixture;
  let drive: ReturnType<typeof auditor>;
  beforeAll(async () => {
    fixture = await startCertificationApp({ now: clock.now, env: { PUBLIC_BASE_URL: 'https://cb.example' } });
    drive = auditor(fixture);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('scope approved → compliant → issued → degraded → suspended → not fixed within grace → revoked', async () => {
    const toe = 'toe-revoked-after-grace';
    const opened = await drive.approve(toe, 1);
    expect(opened).toMatchObject({
      outcome: 'applied',
      state: 'none',
      certificateId: null,
      certificationId: expect.any(String),
    });

    const issued = await drive.posture(toe, 'compliant');
    expect(issued).toMatchObject({ outcome: 'applied', state: 'issued', certificateId: expect.any(String) });
    const id = issued.certificateId!;

    // The certificate JWT carries ToE, scope version and digest, requirement summary and validity.
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const certificate = await certificateOf(fixture, id);
    const { payload, protectedHeader } = await jwtVerify(certificate.token, createLocalJWKSet(jwks), {
      issuer: 'cabc-certification-body',
      currentDate: clock.now(),
    });
    expect(protectedHeader.typ).toBe('cabc-certificate+jwt');
    expect(payload).toMatchObject({
      sub: id,
      toe,
      toeName: 'Credit scoring',
      org: 'acme',
      scope: { version: 1, digest: 'c'.repeat(64) },
      requirements: {
        total: 2,
        critical: 1,
        items: [
          expect.objectContaining({ id: 'REQ-ACC', critical: true }),
          expect.objectContaining({ id: 'REQ-DRIFT' }),
        ],
      },
      validity: { notBefore: expect.any(String), notAfter: certificate.expiresAt },
      certification: opened.certificationId,
      status: { url: `https://cb.example/v1/status/${id}`, list: 'https://cb.example/v1/status-lists/acme' },
    });
    expect(payload.exp! - payload.nbf!).toBe(365 * 86_400);

    expect(await drive.posture(toe, 'non_compliant')).toMatchObject({ outcome: 'applied', state: 'suspended' });
    // Six days later the grace period (7 days) is still running: the scheduler does nothing.
    clock.advance(6 * DAY);
    expect(await fixture.runDeadlines()).toBe(0);
    expect((await certificateOf(fixture, id)).state).toBe('suspended');

    clock.advance(DAY + 1_000);
    expect(await fixture.runDeadlines()).toBe(1);
    const revoked = await certificateOf(fixture, id);
    expect(revoked).toMatchObject({
      state: 'revoked',
      status: 'revoked',
      reasonCode: REASON_CODES.grace_period_elapsed,
      reason: 'grace_period_elapsed',
    });
    expect(revoked.revokedAt).not.toBeNull();
    expect(path(revoked)).toEqual(['none->issued:1', 'issued->suspended:2', 'suspended->revoked:4']);
    expect(revoked.history.map((entry) => entry.cause.kind)).toEqual(['callback', 'callback', 'schedule']);

    // The certification is closed; a later compliant posture for that version has nothing to act on.
    const certification = (await getAs(fixture, `/v1/certifications/${opened.certificationId}`)).json();
    expect(certification).toMatchObject({
      lifecycleState: 'revoked',
      closeReason: 'grace_period_elapsed',
      nextDeadline: null,
    });
    const late = await drive.postureRaw(toe, 'compliant');
    expect(expectProblem(late, 422, 'claims.scopeVersion').type).toBe(
      'https://cabc.dev/problems/unknown-certification',
    );
  });

  it('a second run fixed within the grace period is reinstated, keeping its original expiry', async () => {
    const toe = 'toe-reinstated';
    await drive.approve(toe, 1);
    const { certificateId } = await drive.posture(toe, 'compliant');
    const before = await certificateOf(fixture, certificateId!);
    await drive.posture(toe, 'non_compliant');
    clock.advance(3 * DAY);
    expect(await fixture.runDeadlines()).toBe(0);
    expect(await drive.posture(toe, 'compliant')).toMatchObject({ outcome: 'applied', state: 'issued' });
    const reinstated = await certificateOf(fixture, certificateId!);
    expect(reinstated).toMatchObject({
      state: 'issued',
      status: 'good',
      reasonCode: REASON_CODES.compliant_posture,
      expiresAt: before.expiresAt,
    });
    expect(path(reinstated)).toEqual(['none->issued:1', 'issued->suspended:2', 'suspended->issued:1']);
    // The old grace deadline is gone: time passing changes nothing.
    clock.advance(5 * DAY);
    expect(await fixture.runDeadlines()).toBe(0);
    expect((await certificateOf(fixture, certificateId!)).state).toBe('issued');
  });

  it('revokes at once when a critical requirement fails', async () => {
    const toe = 'toe-critical';
    await drive.approve(toe, 1);
    const { certificateId } = await drive.posture(toe, 'compliant');
    expect(await drive.posture(toe, 'non_compliant', { criticalFailed: true })).toMatchObject({ state: 'revoked' });
    const revoked = await certificateOf(fixture, certificateId!);
    expect(path(revoked)).toEqual(['none->issued:1', 'issued->revoked:5']);
  });

  it('expires at the end of validity: the status says so at once, the scheduler records it', async () => {
    const toe = 'toe-expiring';
    await drive.approve(toe, 1);
    const { certificateId } = await drive.posture(toe, 'compliant');
    const issued = await certificateOf(fixture, certificateId!);
    clock.advance(Date.parse(issued.expiresAt) - clock.now().getTime());

    const status = (await fixture.app.inject({ method: 'GET', url: `/v1/status/${certificateId}` })).json();
    expect(status).toMatchObject({ status: 'expired', reasonCode: REASON_CODES.validity_ended, nextUpdate: null });
    expect((await certificateOf(fixture, certificateId!)).state).toBe('issued');

    expect(await fixture.runDeadlines()).toBeGreaterThanOrEqual(1);
    const expired = await certificateOf(fixture, certificateId!);
    expect(expired).toMatchObject({ state: 'expired', status: 'expired', reasonCode: REASON_CODES.validity_ended });
    expect(path(expired)).toEqual(['none->issued:1', 'issued->expired:6']);
  });

  it('an approved newer scope version withdraws the older certificate (scope_superseded) and opens its own', async () => {
    const toe = 'toe-superseded-by-approval';
    const v1 = await drive.approve(toe, 1);
    const { certificateId: firstId } = await drive.posture(toe, 'compliant');

    const v2 = await drive.approve(toe, 2, { scopeDigest: 'd'.repeat(64) });
    expect(v2).toMatchObject({ outcome: 'applied', state: 'none' });
    expect(v2.detail).toContain(`closed certification ${v1.certificationId} (scope_superseded)`);
    const withdrawn = await certificateOf(fixture, firstId!);
    expect(withdrawn).toMatchObject({
      state: 'withdrawn',
      status: 'withdrawn',
      reasonCode: REASON_CODES.scope_superseded,
    });
    expect(withdrawn.history.at(-1)?.cause.kind).toBe('callback');

    // Postures for the old version now have no certification to act on; the new version's do.
    expectProblem(await drive.postureRaw(toe, 'compliant', { scopeVersion: 1 }), 422, 'claims.scopeVersion');
    const second = await drive.posture(toe, 'compliant', { scopeVersion: 2 });
    expect(second).toMatchObject({ outcome: 'applied', state: 'issued' });
    expect(second.certificateId).not.toBe(firstId);
    expect(await certificateOf(fixture, second.certificateId!)).toMatchObject({ scopeVersion: 2 });

    // An approval of an older version, arriving late, opens nothing.
    expect(await drive.approve(toe, 1)).toMatchObject({ outcome: 'stale' });
    // The same version approved again (another message) changes nothing.
    expect(await drive.approve(toe, 2)).toMatchObject({ outcome: 'no_change', certificationId: v2.certificationId });
  });

  it('scope.superseded withdraws the named version; for any other version it changes nothing', async () => {
    const toe = 'toe-superseded-message';
    await drive.approve(toe, 4);
    const { certificateId } = await drive.posture(toe, 'compliant', { scopeVersion: 4 });
    expect(await drive.scope({ toe, type: 'scope.superseded', scopeVersion: 3, supersededBy: 4 })).toMatchObject({
      outcome: 'no_change',
    });
    const closed = await drive.scope({ toe, type: 'scope.superseded', scopeVersion: 4, supersededBy: 5 });
    expect(closed).toMatchObject({ outcome: 'applied', state: 'withdrawn', certificateId });
    expect(await certificateOf(fixture, certificateId!)).toMatchObject({
      state: 'withdrawn',
      reasonCode: REASON_CODES.scope_superseded,
    });
    // A superseded version can never be approved again.
    expect(await drive.approve(toe, 4)).toMatchObject({ outcome: 'stale' });
  });

  it('scope.rejected is recorded; for the version in force it retracts the approval (revoked, approval_rejected)', async () => {
    const toe = 'toe-rejected';
    await drive.approve(toe, 1);
    const { certificateId } = await drive.posture(toe, 'compliant');
    expect(await drive.scope({ toe, type: 'scope.rejected', scopeVersion: 2 })).toMatchObject({ outcome: 'recorded' });
    expect((await certificateOf(fixture, certificateId!)).state).toBe('issued');
    expect(await drive.scope({ toe, type: 'scope.rejected', scopeVersion: 1 })).toMatchObject({
      outcome: 'applied',
      state: 'revoked',
    });
    expect(await certificateOf(fixture, certificateId!)).toMatchObject({
      state: 'revoked',
      reasonCode: REASON_CODES.approval_rejected,
    });
    const { rows } = await sql<{
      type: string;
      outcome: string;
    }>`select type, outcome from scope_decisions where toe = ${toe} order by id`.execute(fixture.infra.db);
    expect(rows).toEqual([
      { type: 'scope.approved', outcome: 'applied' },
      { type: 'scope.rejected', outcome: 'recorded' },
      { type: 'scope.rejected', outcome: 'applied' },
    ]);
  });

  it('a certification approved before any posture closes without a certificate when superseded', async () => {
    const toe = 'toe-superseded-before-issue';
    const v1 = await drive.approve(toe, 1);
    const v2 = await drive.approve(toe, 2);
    const first = (await getAs(fixture, `/v1/certifications/${v1.certificationId}`)).json();
    expect(first).toMatchObject({
      lifecycleState: 'none',
      certificateId: null,
      closeReason: 'scope_superseded',
      closedAt: expect.any(String),
    });
    const listed = (await getAs(fixture, `/v1/certifications?toe=${toe}`))
      .json()
      .items.map((item: { id: string }) => item.id);
    expect(listed).toEqual([v2.certificationId, v1.certificationId]);
  });

  it('a posture naming an unknown certification is refused (422 unknown-certification), recorded, and accepted once the approval arrives', async () => {
    const toe = 'toe-approval-late';
    const claims = postureClaims({ toe, scopeVersion: 7, sequence: 1 });
    const token = await signedCallback(claims, fixture.auditorKey);
    const refused = await postCallback(fixture.app, 'assessment', token);
    const problem = expectProblem(refused, 422, 'claims.scopeVersion');
    expect(problem.type).toBe('https://cabc.dev/problems/unknown-certification');
    const records = await fixture.receivedCallbacks();
    expect(records.at(-1)).toMatchObject({
      jti: null,
      toe,
      outcome: 'refused',
      detail: expect.stringContaining(claims.jti),
    });

    await drive.approve(toe, 7);
    const accepted = await postCallback(fixture.app, 'assessment', token);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ outcome: 'applied', state: 'issued', jti: claims.jti });
  });

  it('a posture naming no scope version, or one without an open certification, is refused (422) and opens nothing', async () => {
    const toe = 'toe-no-approval';
    const before = await fixture.counts();
    const unversioned = await signedCallback({ ...postureClaims({ toe }), scopeVersion: null }, fixture.auditorKey);
    expect(
      expectProblem(await postCallback(fixture.app, 'assessment', unversioned), 422, 'claims.scopeVersion').type,
    ).toBe('https://cabc.dev/problems/invalid-callback');
    const unapproved = expectProblem(await drive.postureRaw(toe, 'compliant'), 422, 'claims.scopeVersion');
    expect(unapproved).toMatchObject({
      type: 'https://cabc.dev/problems/unknown-certification',
      detail: `no open certification for ToE ${toe} scope version 1`,
    });
    expect(await fixture.counts()).toEqual({ ...before, receivedCallbacks: before.receivedCallbacks + 2 });
    expect((await fixture.receivedCallbacks()).slice(-2)).toEqual([
      expect.objectContaining({ jti: null, outcome: 'refused' }),
      expect.objectContaining({ jti: null, toe, outcome: 'refused' }),
    ]);
    expect((await getAs(fixture, `/v1/certifications?toe=${toe}`)).json()).toEqual({ items: [] });

    // With version 1 approved, a posture assessed against version 2 moves nothing either.
    const { certificationId } = await drive.approve(toe, 1);
    const other = expectProblem(
      await drive.postureRaw(toe, 'compliant', { scopeVersion: 2 }),
      422,
      'claims.scopeVersion',
    );
    expect(other.detail).toBe(
      `no open certification for ToE ${toe} scope version 2 (the open one covers scope version 1)`,
    );
    expect((await getAs(fixture, `/v1/certifications/${certificationId}`)).json()).toMatchObject({
      lifecycleState: 'none',
      certificateId: null,
      posture: null,
    });
  });

  it('a per-certification policy change applies at once and is audited', async () => {
    const toe = 'toe-policy';
    const { certificationId } = await drive.approve(toe, 1);
    const { certificateId } = await drive.posture(toe, 'compliant');
    await drive.posture(toe, 'non_compliant');
    clock.advance(2 * DAY);
    // Another organization's operator token does not find the certification (404), and changes nothing.
    const elsewhere = await fixture.app.inject({
      method: 'PUT',
      url: `/v1/certifications/${certificationId}/policy`,
      headers: await bearer('certification_body', 'globex'),
      payload: { policy: { gracePeriodMs: DAY }, comment: 'not ours' },
    });
    expectProblem(elsewhere, 404, 'path:id');
    expect((await certificateOf(fixture, certificateId!)).state).toBe('suspended');
    const headers = await bearer('certification_body', 'acme');
    const refused = await fixture.app.inject({
      method: 'PUT',
      url: `/v1/certifications/${certificationId}/policy`,
      headers,
      payload: { policy: { gracePeriodMs: -1 }, comment: 'typo' },
    });
    expectProblem(refused, 422, 'policy.gracePeriodMs');
    const changed = await fixture.app.inject({
      method: 'PUT',
      url: `/v1/certifications/${certificationId}/policy`,
      headers,
      payload: { policy: { gracePeriodMs: DAY }, comment: 'high-risk system: one day of grace' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      lifecycleState: 'revoked',
      policy: { gracePeriodMs: DAY },
      closeReason: 'grace_period_elapsed',
    });
    expect((await certificateOf(fixture, certificateId!)).state).toBe('revoked');
    const audit = (
      await getAs(fixture, `/v1/audit-events?targetType=certification&targetId=${certificationId}`)
    ).json();
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: 'certification.set_policy',
        actor: { type: 'user', subject: 'certification_body-user@acme', org: 'acme', role: 'certification_body' },
        comment: 'high-risk system: one day of grace',
        after: expect.objectContaining({ gracePeriodMs: DAY }),
      }),
    ]);
    // The trail is acme's: another organization's operators see none of it, even when they ask for acme by name.
    expect(
      (
        await getAs(fixture, `/v1/audit-events?targetType=certification&targetId=${certificationId}`, 'admin', 'globex')
      ).json(),
    ).toEqual({ items: [] });
    expect((await getAs(fixture, '/v1/audit-events?org=acme', 'admin', 'globex')).json()).toEqual({ items: [] });
    expectProblem(await getAs(fixture, `/v1/certifications/${certificationId}`, 'admin', 'globex'), 404, 'path:id');
    const auditee = await fixture.app.inject({
      method: 'PUT',
      url: `/v1/certifications/${certificationId}/policy`,
      headers: await bearer('auditee', 'acme'),
      payload: { policy: {}, comment: 'let me' },
    });
    expectProblem(auditee, 403);
  });
});

describe('certification defaults from the environment', () => {
  const clock = testClock();
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp({
      now: clock.now,
      env: {
        CERTIFICATION_GRACE_PERIOD: '1d',
        CERTIFICATE_VALIDITY: '30d',
        CERTIFICATION_REVOKE_ON_CRITICAL_FAILURE: 'false',
      },
    });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('opens certifications with the configured grace, validity and critical-failure policy', async () => {
    const drive = auditor(fixture);
    const { certificationId } = await drive.approve('toe-env-policy', 1);
    const certification = (await getAs(fixture, `/v1/certifications/${certificationId}`)).json();
    expect(certification.policy).toMatchObject({
      gracePeriodMs: DAY,
      validityMs: 30 * DAY,
      revokeOnCriticalFailure: false,
      suspendOnStaleEvidence: false,
    });
    const { certificateId } = await drive.posture('toe-env-policy', 'compliant');
    expect(await drive.posture('toe-env-policy', 'non_compliant', { criticalFailed: true })).toMatchObject({
      state: 'suspended',
    });
    clock.advance(DAY);
    expect(await fixture.runDeadlines()).toBe(1);
    const revoked = await certificateOf(fixture, certificateId!);
    expect(path(revoked)).toEqual(['none->issued:1', 'issued->suspended:2', 'suspended->revoked:4']);
    expect(Date.parse(revoked.expiresAt) - Date.parse(revoked.history[0]!.at)).toBe(30 * DAY);
  });
});
