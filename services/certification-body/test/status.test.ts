import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex, signJwt } from '@cabc/crypto';
import { expectProblem } from '@cabc/testing';
import { REASON_CODES } from '../src/domain/index.ts';
import { bearer, startCertificationApp, testClock, type CertificationFixture } from './support/certification-app.ts';
import { auditor, DAY } from './support/scenario.ts';

describe('public status: one certificate (OCSP-like) and a signed list per organization', () => {
  const clock = testClock();
  let fixture: CertificationFixture;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    fixture = await startCertificationApp({ now: clock.now, env: { STATUS_MAX_AGE: '5m' } });
    const drive = auditor(fixture);
    const issue = async (toe: string, org = 'acme') => {
      await drive.approve(toe, 1, { org });
      return (await drive.posture(toe, 'compliant')).certificateId!;
    };
    ids.good = await issue('toe-good');
    ids.suspended = await issue('toe-suspended');
    await drive.posture('toe-suspended', 'non_compliant');
    ids.revoked = await issue('toe-revoked');
    await drive.posture('toe-revoked', 'non_compliant', { criticalFailed: true });
    ids.withdrawn = await issue('toe-withdrawn');
    const withdrawn = await fixture.app.inject({
      method: 'POST',
      url: `/v1/certificates/${ids.withdrawn}/withdraw`,
      headers: await bearer('certification_body', 'acme'),
      payload: { comment: 'no longer offered' },
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    ids.other = await issue('toe-other-org', 'globex');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const status = (id: string, headers: Record<string, string> = {}) =>
    fixture.app.inject({ method: 'GET', url: `/v1/status/${id}`, headers });

  it('answers good for an issued certificate, without authentication, with a freshness horizon', async () => {
    const response = await status(ids.good!);
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer).toEqual({
      certificateId: ids.good,
      certificateDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      status: 'good',
      thisUpdate: expect.any(String),
      nextUpdate: expect.any(String),
      revokedAt: null,
      reasonCode: REASON_CODES.compliant_posture,
      reason: 'compliant_posture',
      // The scope decision of this fixture pins no artifact.
      artifacts: { models: [], datasets: [] },
      jws: expect.any(String),
    });
    // The JSON carries the signed form of the same answer, bound to the certificate JWT by its digest.
    const { jws, ...unsigned } = answer;
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), {
      issuer: 'cabc-certification-body',
      subject: ids.good!,
      typ: 'cabc-status+jwt',
      currentDate: clock.now(),
    });
    expect(payload).toMatchObject(unsigned);
    const certificate = await fixture.app.inject({
      method: 'GET',
      url: `/v1/certificates/${ids.good}`,
      headers: await bearer('certification_body', 'acme'),
    });
    expect(answer.certificateDigest).toBe(sha256Hex(certificate.json().token));
    expect(payload.iat).toBe(Math.floor(Date.parse(answer.thisUpdate) / 1000));
    expect(payload.exp).toBe(Math.ceil(Date.parse(answer.nextUpdate) / 1000));
    expect(Date.parse(answer.nextUpdate) - Date.parse(answer.thisUpdate)).toBe(5 * 60_000);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
  });

  it('answers suspended with the suspension reason; nextUpdate never later than the end of the grace period', async () => {
    const answer = (await status(ids.suspended!)).json();
    expect(answer).toMatchObject({
      status: 'suspended',
      reasonCode: REASON_CODES.non_compliance,
      reason: 'non_compliance',
      revokedAt: null,
    });
    expect(Date.parse(answer.nextUpdate)).toBeLessThanOrEqual(Date.parse(answer.thisUpdate) + 5 * 60_000);
  });

  it('answers revoked with revokedAt and the reason; a final answer has no nextUpdate', async () => {
    const response = await status(ids.revoked!);
    expect(response.json()).toMatchObject({
      status: 'revoked',
      reasonCode: REASON_CODES.critical_requirement_failed,
      reason: 'critical_requirement_failed',
      revokedAt: expect.any(String),
      nextUpdate: null,
    });
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
  });

  it('answers withdrawn with reason withdrawn_on_request', async () => {
    expect((await status(ids.withdrawn!)).json()).toMatchObject({
      status: 'withdrawn',
      reasonCode: 7,
      reason: 'withdrawn_on_request',
      revokedAt: null,
      nextUpdate: null,
    });
  });

  it.each([
    ['an unknown uuid', randomUUID()],
    ['a malformed id', 'not-a-certificate'],
    ['an id with SQL in it', "1' or '1'='1"],
    ['a very long id', 'x'.repeat(600)],
    ['an id over the router limit', 'y'.repeat(5000)],
    ['an id with a slash', 'a/b'],
  ])('answers 200 unknown for %s, never an error page', async (_what, id) => {
    const response = await status(encodeURIComponent(id));
    expect(response.statusCode, response.body).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({
      certificateId: id.slice(0, 256),
      certificateDigest: null,
      status: 'unknown',
      jws: expect.any(String),
      revokedAt: null,
      reasonCode: null,
      reason: null,
    });
  });

  it('serves the same answer as a JWT signed by the certification body on Accept: application/jwt', async () => {
    const response = await status(ids.suspended!, { accept: 'application/jwt' });
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^application\/jwt/);
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(response.body, createLocalJWKSet(jwks), {
      issuer: 'cabc-certification-body',
      currentDate: clock.now(),
    });
    expect(protectedHeader.typ).toBe('cabc-status+jwt');
    expect(payload).toMatchObject({
      sub: ids.suspended,
      certificateId: ids.suspended,
      status: 'suspended',
      reasonCode: 2,
    });
  });

  it('publishes a signed status list per organization that verifies against the JWKS', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/v1/status-lists/acme' });
    expect(response.statusCode, response.body).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^application\/jwt/);
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(response.body, createLocalJWKSet(jwks), {
      issuer: 'cabc-certification-body',
      subject: 'acme',
      currentDate: clock.now(),
    });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'cabc-status-list+jwt' });
    expect(payload.exp).toBe(Math.ceil(Date.parse(payload.nextUpdate as string) / 1000));
    expect(payload.truncated).toBe(false);
    const byId = Object.fromEntries(
      (payload.certificates as { id: string; status: string }[]).map((entry) => [entry.id, entry.status]),
    );
    expect(byId).toEqual({
      [ids.good!]: 'good',
      [ids.suspended!]: 'suspended',
      [ids.revoked!]: 'revoked',
      [ids.withdrawn!]: 'withdrawn',
    });
    expect(payload.certificates).toContainEqual(
      expect.objectContaining({
        id: ids.revoked,
        toe: 'toe-revoked',
        scopeVersion: 1,
        reasonCode: 5,
        reason: 'critical_requirement_failed',
        revokedAt: expect.any(String),
      }),
    );
  });

  it('a status list is not forgeable: a list signed by another key fails verification', async () => {
    const forger = await generateSigningKey();
    const forged = await signJwt({ iss: 'cabc-certification-body', sub: 'acme', certificates: [] }, forger, {
      typ: 'cabc-status-list+jwt',
    });
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(decodeProtectedHeader(forged).kid).not.toBe(jwks.keys[0].kid);
    await expect(jwtVerify(forged, createLocalJWKSet(jwks))).rejects.toThrow();
  });

  it('answers an organization without certificates with a signed empty list, and a malformed one with 400', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/v1/status-lists/nobody' });
    expect(response.statusCode).toBe(200);
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(response.body, createLocalJWKSet(jwks), { currentDate: clock.now() });
    expect(payload).toMatchObject({ sub: 'nobody', certificates: [] });
    expectProblem(await fixture.app.inject({ method: 'GET', url: '/v1/status-lists/Not%20An%20Org' }), 400, 'path:org');
  });

  it('says expired as soon as the validity ended, in the single answer and in the list', async () => {
    clock.advance(366 * DAY);
    expect((await status(ids.good!)).json()).toMatchObject({
      status: 'expired',
      reasonCode: REASON_CODES.validity_ended,
      reason: 'validity_ended',
      nextUpdate: null,
    });
    const jwks = (await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const list = await fixture.app.inject({ method: 'GET', url: '/v1/status-lists/acme' });
    const { payload } = await jwtVerify(list.body, createLocalJWKSet(jwks), { currentDate: clock.now() });
    expect(
      (payload.certificates as { id: string; status: string }[]).find((entry) => entry.id === ids.good)?.status,
    ).toBe('expired');
  });
});

describe('public status: rate limit', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp({ env: { STATUS_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('answers 429 problem+json with Retry-After once a client exceeds the limit', async () => {
    const ask = (url: string) => fixture.app.inject({ method: 'GET', url, remoteAddress: '203.0.113.7' });
    for (let request = 0; request < 3; request += 1)
      expect((await ask(`/v1/status/${randomUUID()}`)).statusCode).toBe(200);
    const limited = await ask('/v1/status-lists/acme');
    const problem = expectProblem(limited, 429);
    expect(problem.type).toBe('https://cabc.dev/problems/rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another client is not affected.
    expect(
      (await fixture.app.inject({ method: 'GET', url: `/v1/status/${randomUUID()}`, remoteAddress: '203.0.113.8' }))
        .statusCode,
    ).toBe(200);
    // Authenticated routes are not counted.
    expect(
      (await fixture.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.7' })).statusCode,
    ).toBe(200);
  });
});
