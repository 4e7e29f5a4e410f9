import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { api, certifyToe } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

describe('trust boundaries across the platform', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  const certificates = async (toeId: string, token: string) =>
    (await getJson(`${platform.urls.certificationBody}/v1/certificates?toe=${toeId}`, token)).body.items as any[];

  it("refuses evidence that another organization's pipeline pushed for a ToE, even through a shared collector", async () => {
    const acme = await certifyToe(platform, { org: 'acme', name: 'guarded' });
    await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(acme.toeId, 0.95), {
      authorization: `Bearer ${acme.tokens.pipeline}`,
    });
    const [issued] = await waitFor('issued', async () =>
      (await certificates(acme.toeId, acme.tokens.auditeeAtCertificationBody))[0]?.state === 'issued'
        ? certificates(acme.toeId, acme.tokens.auditeeAtCertificationBody)
        : undefined,
    );

    const intruder = await platform.token('pipeline', 'globex');
    const pushed = await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(acme.toeId, 0.1), {
      authorization: `Bearer ${intruder}`,
    });
    expect(pushed.status).toBe(201); // the collector cannot know whose ToE it is; the auditor can
    const refused = await waitFor('the delivery refused', async () => {
      const view = await getJson(`${platform.urls.collector}/v1/evidence/${pushed.body.id}`, intruder);
      return view.body.delivery.status === 'rejected' ? view.body : undefined;
    });
    // The pipeline reads why: the auditor's problem detail, not only its status.
    expect(refused.delivery.lastError).toMatch(/HTTP 422: .*does not belong to the organization/);
    expect((await getJson(`${platform.urls.certificationBody}/v1/status/${issued.id}`)).body.status).toBe('good');
  });

  it('keeps the ToE certified when a new scope version is approved and the posture stays compliant', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'reapproved' });
    await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, 0.95), {
      authorization: `Bearer ${toe.tokens.pipeline}`,
    });
    await waitFor(
      'issued under v1',
      async () => (await certificates(toe.toeId, toe.tokens.auditeeAtCertificationBody))[0]?.state === 'issued',
    );

    const scopes = `${platform.urls.assessment}/v1/toes/${toe.toeId}/scopes`;
    await api('POST', scopes, { token: toe.tokens.auditee, body: {} });
    await api('POST', `${scopes}/2/submit`, { token: toe.tokens.auditee });
    await api('POST', `${scopes}/2/approve`, { token: toe.tokens.auditor, body: {} });

    const current = await waitFor('issued under v2', async () => {
      const items = await certificates(toe.toeId, toe.tokens.auditeeAtCertificationBody);
      return items.find((certificate) => certificate.scopeVersion === 2 && certificate.state === 'issued');
    });
    expect(current.scopeVersion).toBe(2);
    const states = (await certificates(toe.toeId, toe.tokens.auditeeAtCertificationBody))
      .map((certificate) => `${certificate.scopeVersion}:${certificate.state}`)
      .sort();
    expect(states).toEqual(['1:withdrawn', '2:issued']);
  });
});
