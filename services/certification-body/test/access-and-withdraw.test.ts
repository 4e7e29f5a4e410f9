import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { mintToken } from '@cabc/auth';
import { expectProblem } from '@cabc/testing';
import { REASON_CODES } from '../src/domain/index.ts';
import { bearer, startCertificationApp, type CertificationFixture } from './support/certification-app.ts';
import { auditor, certificateOf } from './support/scenario.ts';

describe('certification body: who may read and withdraw certificates', () => {
  let fixture: CertificationFixture;
  let acmeCertificate: string;
  let globexCertificate: string;
  beforeAll(async () => {
    fixture = await startCertificationApp();
    const drive = auditor(fixture);
    await drive.approve('toe-acme', 1, { org: 'acme' });
    acmeCertificate = (await drive.posture('toe-acme', 'compliant')).certificateId!;
    await drive.approve('toe-globex', 1, { org: 'globex', toeName: 'Fraud detection' });
    globexCertificate = (await drive.posture('toe-globex', 'compliant')).certificateId!;
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const get = async (url: string, role?: Parameters<typeof bearer>[0], org = 'acme') =>
    fixture.app.inject({ method: 'GET', url, headers: role ? await bearer(role, org) : {} });
  const withdraw = async (
    id: string,
    role: Parameters<typeof bearer>[0] | undefined,
    org = 'acme',
    comment: unknown = 'model retired',
  ) =>
    fixture.app.inject({
      method: 'POST',
      url: `/v1/certificates/${id}/withdraw`,
      headers: role ? await bearer(role, org, `${role}-alice@${org}`) : {},
      payload: { comment },
    });

  it('refuses requests without a bearer token with 401, and tokens from another issuer', async () => {
    expectProblem(await get(`/v1/certificates/${acmeCertificate}`), 401);
    expectProblem(await get('/v1/certificates?toe=toe-acme'), 401);
    expectProblem(await get('/v1/webhooks/subscriptions'), 401);
    const stranger = await generateSigningKey();
    const forged = await mintToken({
      issuer: 'cabc-local',
      audience: 'cabc-certification-body',
      subject: 'x',
      org: 'acme',
      role: 'admin',
      ttlSeconds: 60,
      key: stranger,
    });
    expectProblem(
      await fixture.app.inject({
        method: 'GET',
        url: '/v1/certificates?toe=toe-acme',
        headers: { authorization: `Bearer ${forged}` },
      }),
      401,
    );
  });

  it('lets the auditee read its own organization’s certificates and hides the others (404, empty list)', async () => {
    expect((await get(`/v1/certificates/${acmeCertificate}`, 'auditee', 'acme')).statusCode).toBe(200);
    const hidden = expectProblem(await get(`/v1/certificates/${globexCertificate}`, 'auditee', 'acme'), 404, 'path:id');
    expect(hidden.detail).toBe(`no certificate ${globexCertificate}`);
    expect((await get('/v1/certificates?toe=toe-globex', 'auditee', 'acme')).json()).toEqual({ items: [] });
    expect((await get('/v1/certificates?toe=toe-acme', 'auditee', 'acme')).json().items).toHaveLength(1);
    expect(
      (await get('/v1/certifications', 'auditee', 'acme')).json().items.map((item: { toe: string }) => item.toe),
    ).toEqual(['toe-acme']);
  });

  it('lets the certification body, admins and auditors read their token’s organization only; another’s is not found (404, empty lists)', async () => {
    const own = {
      acme: { certificate: acmeCertificate, toe: 'toe-acme' },
      globex: { certificate: globexCertificate, toe: 'toe-globex' },
    };
    for (const role of ['certification_body', 'admin', 'auditor'] as const) {
      for (const [org, other] of [
        ['acme', 'globex'],
        ['globex', 'acme'],
      ] as const) {
        const read = await get(`/v1/certificates/${own[org].certificate}`, role, org);
        expect(read.statusCode, `${role}@${org}: ${read.body}`).toBe(200);
        expect(read.json()).toMatchObject({ id: own[org].certificate, org });
        const hidden = expectProblem(
          await get(`/v1/certificates/${own[other].certificate}`, role, org),
          404,
          'path:id',
        );
        expect(hidden.detail).toBe(`no certificate ${own[other].certificate}`);
        expect((await get(`/v1/certificates?toe=${own[other].toe}`, role, org)).json()).toEqual({ items: [] });
        expect((await get(`/v1/certificates?toe=${own[org].toe}`, role, org)).json().items).toHaveLength(1);
        expect(
          (await get('/v1/certifications', role, org)).json().items.map((item: { toe: string }) => item.toe),
        ).toEqual([own[org].toe]);
      }
    }
    // A token of an organization without certificates sees none of anyone's.
    expectProblem(await get(`/v1/certificates/${acmeCertificate}`, 'admin', 'cb'), 404, 'path:id');
    expect((await get('/v1/certifications', 'admin', 'cb')).json()).toEqual({ items: [] });
  });

  it('refuses other roles with 403', async () => {
    expectProblem(await get(`/v1/certificates/${acmeCertificate}`, 'pipeline', 'acme'), 403);
    expectProblem(await get('/v1/certificates?toe=toe-acme', 'pipeline', 'acme'), 403);
    expectProblem(await get('/v1/certifications', 'pipeline', 'acme'), 403);
  });

  it('refuses a withdrawal from another organization (404), a wrong role (403), no token (401), no comment (400)', async () => {
    expectProblem(await withdraw(acmeCertificate, 'certification_body', 'globex'), 404, 'path:id');
    // The auditee and its organization's admin ask the certification body; they never withdraw themselves.
    for (const role of ['auditee', 'admin', 'auditor', 'pipeline'] as const)
      expectProblem(await withdraw(acmeCertificate, role, 'acme'), 403);
    expectProblem(await withdraw(acmeCertificate, undefined), 401);
    expectProblem(await withdraw(acmeCertificate, 'certification_body', 'acme', '   '), 400, 'comment');
    expectProblem(await withdraw(randomUUID(), 'certification_body', 'acme'), 404, 'path:id');
    expect((await certificateOf(fixture, acmeCertificate)).state).toBe('issued');
  });

  it('withdraws at the auditee’s request, by the certification body’s staff: history with the request as cause, audit trail naming who did it', async () => {
    const response = await withdraw(acmeCertificate, 'certification_body', 'acme', 'model retired from production');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: acmeCertificate,
      state: 'withdrawn',
      status: 'withdrawn',
      reasonCode: REASON_CODES.withdrawn_on_request,
    });
    const entry = response.json().history.at(-1);
    expect(entry).toMatchObject({
      from: 'issued',
      to: 'withdrawn',
      reasonCode: 7,
      cause: { kind: 'request', ref: response.headers['x-request-id'] },
    });
    expect(entry.reason).toContain(
      'certification_body-alice@acme (certification_body, org acme): model retired from production',
    );

    const audit = (
      await get(`/v1/audit-events?targetType=certificate&targetId=${acmeCertificate}`, 'admin', 'acme')
    ).json();
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: 'certificate.withdraw',
        actor: { type: 'user', subject: 'certification_body-alice@acme', org: 'acme', role: 'certification_body' },
        before: { state: 'issued' },
        after: { state: 'withdrawn', reasonCode: 7 },
        comment: 'model retired from production',
        requestId: response.headers['x-request-id'],
        org: 'acme',
      }),
    ]);
    expect(
      (await get('/v1/audit-events?org=acme', 'certification_body', 'acme'))
        .json()
        .items.map((item: { targetId: string }) => item.targetId),
    ).toEqual([acmeCertificate]);
    // Another organization's operators never see acme's trail, not even by asking for it.
    expect(
      (await get(`/v1/audit-events?targetType=certificate&targetId=${acmeCertificate}`, 'admin', 'globex')).json(),
    ).toEqual({ items: [] });
    expect((await get('/v1/audit-events?org=acme', 'admin', 'globex')).json()).toEqual({ items: [] });
    expectProblem(await get('/v1/audit-events', 'auditee', 'acme'), 403);

    // Terminal: a second withdrawal is a conflict, and the certification is closed.
    const again = expectProblem(await withdraw(acmeCertificate, 'certification_body', 'acme'), 409);
    expect(again.detail).toContain('withdrawn');
  });

  it("never lets the auditee organization's admin withdraw (403), and the certification body's staff only the certificate of its token's organization (404)", async () => {
    expectProblem(await withdraw(globexCertificate, 'admin', 'globex', 'court order'), 403);
    expectProblem(await withdraw(globexCertificate, 'certification_body', 'acme', 'court order'), 404, 'path:id');
    expect((await certificateOf(fixture, globexCertificate, 'globex')).state).toBe('issued');
    const response = await withdraw(globexCertificate, 'certification_body', 'globex', 'court order');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().state).toBe('withdrawn');
    const audit = (
      await get(`/v1/audit-events?targetType=certificate&targetId=${globexCertificate}`, 'admin', 'globex')
    ).json();
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: 'certificate.withdraw',
        actor: { type: 'user', subject: 'certification_body-alice@globex', org: 'globex', role: 'certification_body' },
        org: 'globex',
      }),
    ]);
  });
});
