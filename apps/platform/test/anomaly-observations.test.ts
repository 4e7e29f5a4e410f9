import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gamedStream, waitFor } from '@cabc/testing';
import { api, certifyToe } from '../src/index.ts';
import { getJson, postJson, startTestPlatform } from './platform-fixture.ts';

const MODEL = 'a'.repeat(64);

describe('anomaly observations: a gamed evidence stream through the running platform', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  it('shows the auditor metrics copied across runs on drifted data; confirmed, the finding decides the posture', async () => {
    const { toeId, tokens } = await certifyToe(platform, { org: 'acme', name: 'gamed-scoring', modelSha256: MODEL });
    const stream = gamedStream(toeId, { model: MODEL, end: new Date(Date.now() - 60_000) });
    const pipeline = { authorization: `Bearer ${tokens.pipeline}` };
    for (const item of stream.items) {
      const submitted = await postJson(`${platform.urls.collector}/v1/evidence`, item, pipeline);
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    }
    const assessment = `${platform.urls.assessment}/v1/toes/${toeId}`;
    const observation = await waitFor('the repeated-measurements observation', async () => {
      const listed = await getJson(`${assessment}/observations`, tokens.auditor);
      return listed.body.items.find((item: { signal: string }) => item.signal === 'repeated_measurements');
    });
    expect(observation.state).toBe('open');
    expect(observation.explanation).toMatch(/exactly those of evidence .* which claims different data/);
    expect(observation.explanation).toMatch(/data changed/);
    // The observation is for a human: it changes nothing by itself (this scope did not opt in to gating).
    const certificate = await waitFor('an issued certificate', async () => {
      const items = (await getJson(`${platform.urls.certificationBody}/v1/certificates?toe=${toeId}`, tokens.auditeeAtCertificationBody))
        .body.items;
      return items[0]?.state === 'issued' ? items[0] : undefined;
    });
    const judged = await waitFor('the copied run judged by the rule', async () => {
      const body = (await getJson(`${assessment}/posture`, tokens.auditor)).body;
      return body.requirements[0].evidenceIds.includes(observation.evidenceIds[0]) ? body : undefined;
    });
    expect(judged.posture).toBe('compliant');

    const confirmed = await api('POST', `${assessment}/observations/${observation.id}/confirm`, {
      token: tokens.auditor,
      body: {
        requirementId: 'REQ-ACCURACY',
        validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        comment: 'The newest run reports the numbers of an earlier run on drifted data.',
      },
    });
    expect(confirmed).toMatchObject({ state: 'confirmed', findingId: expect.any(String) });

    const posture = await waitFor('the posture decided by the finding', async () => {
      const body = (await getJson(`${assessment}/posture`, tokens.auditor)).body;
      return body.posture === 'non_compliant' ? body : undefined;
    });
    expect(posture.requirements[0].reason).toMatch(/^manual finding by /);
    expect(posture.requirements[0].reason).toContain(observation.id);
    expect(posture.requirements[0].details[0]).toMatchObject({ property: 'manual_finding', target: 'compliant' });
    // As for any failing critical requirement, the certification body revokes the certificate.
    await waitFor('the certificate revoked', async () => {
      const detail = await getJson(
        `${platform.urls.certificationBody}/v1/certificates/${certificate.id}`,
        tokens.auditeeAtCertificationBody,
      );
      return detail.body.state === 'revoked' ? detail.body : undefined;
    });
    const trail = (
      await getJson(`${platform.urls.assessment}/v1/audit-events?toe=${toeId}&limit=200`, tokens.auditor)
    ).body.items.map((event: { action: string }) => event.action);
    expect(trail.slice(-2)).toEqual(['finding.recorded', 'observation.confirmed']);
  });
});
