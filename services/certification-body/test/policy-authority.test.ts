import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, type Role } from '@cabc/auth';
import { expectProblem } from '@cabc/testing';
import { bearer, startCertificationApp, type CertificationFixture } from './support/certification-app.ts';
import { auditor, getAs } from './support/scenario.ts';

/** Issue 12's attack, as reproduced: the auditee's admin weakening the certification body's decisions for years. */
const weakening = {
  policy: { revokeOnCriticalFailure: false, gracePeriodMs: 3_153_600_000_000 },
  comment: 'x',
};

describe("certification body: policy belongs to its own staff, within its configuration's limits", () => {
  let fixture: CertificationFixture;
  let certificationId: string;
  beforeAll(async () => {
    fixture = await startCertificationApp();
    certificationId = (await auditor(fixture).approve('toe-policy-limits', 1, { org: 'acme' })).certificationId!;
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const putPolicy = async (role: Parameters<typeof bearer>[0], body: Record<string, unknown>, org = 'acme') =>
    fixture.app.inject({
      method: 'PUT',
      url: `/v1/certifications/${certificationId}/policy`,
      headers: await bearer(role, org),
      payload: body,
    });
  /** The stored policy and the policy changes in the audit trail: what a refused change must leave as it was. */
  const stored = async () => ({
    policy: (await getAs(fixture, `/v1/certifications/${certificationId}`, 'certification_body', 'acme')).json().policy,
    changes: (
      await getAs(fixture, `/v1/audit-events?targetType=certification&targetId=${certificationId}`)
    ).json().items.length,
  });

  it("refuses the auditee organization's admin (403) and stores nothing", async () => {
    const before = await stored();
    expectProblem(await putPolicy('admin', weakening), 403);
    expectProblem(await putPolicy('auditee', weakening), 403);
    expect(await stored()).toEqual(before);
  });

  it("refuses its own staff a policy beyond the configured limits (422 naming each field) and stores nothing", async () => {
    const before = await stored();
    const problem = expectProblem(await putPolicy('certification_body', weakening), 422);
    expect((problem.errors ?? []).map((error) => error.field).sort()).toEqual([
      'policy.gracePeriodMs',
      'policy.revokeOnCriticalFailure',
    ]);
    expect(problem.detail).toMatch(/policy\.gracePeriodMs: at most 2592000000 \(30 d, CERTIFICATION_POLICY_MAX_GRACE_PERIOD\)/);
    const tooLong = expectProblem(
      await putPolicy('certification_body', { policy: { validityMs: 4 * 365 * 86_400_000 }, comment: 'x' }),
      422,
    );
    expect(tooLong.errors).toEqual([expect.objectContaining({ field: 'policy.validityMs' })]);
    expect(await stored()).toEqual(before);
  });

  it("takes the auditor's service credential (its callback key) for reads as auditor, never as the CB's staff", async () => {
    const credential = (role: Role) =>
      mintToken({
        issuer: fixture.config.AUDITOR_ISSUER,
        audience: 'cabc-certification-body',
        subject: 'cabc-assessment',
        org: 'acme',
        role,
        ttlSeconds: 60,
        key: fixture.auditorKey,
      });
    const read = await fixture.app.inject({
      method: 'GET',
      url: `/v1/certifications/${certificationId}`,
      headers: { authorization: `Bearer ${await credential('auditor')}` },
    });
    expect(read.statusCode, read.body).toBe(200);
    const before = await stored();
    const problem = expectProblem(
      await fixture.app.inject({
        method: 'PUT',
        url: `/v1/certifications/${certificationId}/policy`,
        headers: { authorization: `Bearer ${await credential('certification_body')}` },
        payload: { policy: { gracePeriodMs: 86_400_000 }, comment: 'x' },
      }),
      403,
    );
    expect(problem.detail).toMatch(/may not assert role certification_body/);
    expect(await stored()).toEqual(before);
  });

  it('accepts its own staff a policy within the limits', async () => {
    const answer = await putPolicy('certification_body', {
      policy: { gracePeriodMs: 14 * 86_400_000 },
      comment: 'two weeks of grace for this high-risk system',
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().policy).toMatchObject({ gracePeriodMs: 14 * 86_400_000, revokeOnCriticalFailure: true });
  });
});
