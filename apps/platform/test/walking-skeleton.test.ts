import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { parseAndVerifyCheckpoint } from '@cabc/ledger';
import { certifyToe } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

describe('walking skeleton: evidence from a pipeline to a certificate', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  it('issues a certificate on compliant evidence and revokes it when a critical metric degrades', async () => {
    const { toeId: toe, tokens } = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
    const certificatesOf = async () =>
      (
        await getJson(
          `${platform.urls.certificationBody}/v1/certificates?toe=${encodeURIComponent(toe)}`,
          tokens.auditeeAtCertificationBody,
        )
      ).body.items as any[];
    const pipeline = { authorization: `Bearer ${tokens.pipeline}` };
    const submitted = await postJson(
      `${platform.urls.collector}/v1/evidence`,
      performanceEvidence(toe, 0.95),
      pipeline,
    );
    expect(submitted.status).toBe(201);
    expect(submitted.body.envelopeSha256).toMatch(/^[0-9a-f]{64}$/);

    const [issued] = await waitFor('an issued certificate', async () => {
      const items = await certificatesOf();
      return items.length > 0 && items[0].state === 'issued' ? items : undefined;
    });

    // The collector learns the auditor's signed receipt for the evidence it delivered.
    const delivered = await waitFor('delivery receipt', async () => {
      const view = await getJson(`${platform.urls.collector}/v1/evidence/${submitted.body.id}`, tokens.pipeline);
      return view.body.delivery.status === 'delivered' ? view.body : undefined;
    });
    expect(delivered.delivery.receipt.envelopeSha256).toBe(submitted.body.envelopeSha256);
    expect(delivered.delivery.receipt.sequence).toBeGreaterThan(0);

    // The certificate is a JWT anyone can verify against the certification body's published keys.
    const jwks = (await getJson(`${platform.urls.certificationBody}/.well-known/jwks.json`)).body;
    const { payload, protectedHeader } = await jwtVerify(issued.token, createLocalJWKSet(jwks), {
      issuer: 'cabc-certification-body',
    });
    expect(protectedHeader.typ).toBe('cabc-certificate+jwt');
    expect(payload.sub).toBe(issued.id);
    expect(payload.toe).toBe(toe);

    const posture = await getJson(`${platform.urls.assessment}/v1/toes/${toe}/posture`, tokens.auditor);
    expect(posture.body.posture).toBe('compliant');
    expect(posture.body.requirements[0].details[0]).toMatchObject({
      property: 'accuracy',
      value: 0.95,
      operator: '>=',
      target: 0.9,
      success: true,
    });

    const degraded = await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe, 0.71), pipeline);
    expect(degraded.status).toBe(201);
    const revoked = await waitFor('the certificate revoked', async () => {
      const detail = await getJson(`${platform.urls.certificationBody}/v1/certificates/${issued.id}`, tokens.auditeeAtCertificationBody);
      return detail.body.state === 'revoked' ? detail.body : undefined;
    });
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.history.map((entry: any) => `${entry.from}->${entry.to}`)).toEqual([
      'none->issued',
      'issued->revoked',
    ]);
    expect(revoked.history[1].reason).toMatch(/critical/i);
    expect(revoked.history[1].cause.kind).toBe('callback');

    // Each decision keeps the auditor's signed ledger checkpoint that covers the evidence it was based on.
    const { verifierKey } = (await getJson(`${platform.urls.assessment}/v1/ledger/verifier-key`)).body;
    for (const [index, evidenceCount] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const checkpoint = revoked.history[index].cause.ledgerCheckpoint;
      const verified = parseAndVerifyCheckpoint(checkpoint.note, [verifierKey]);
      expect(verified.size).toBe(checkpoint.size);
      expect(checkpoint.size).toBeGreaterThanOrEqual(evidenceCount);
      expect(Buffer.from(verified.rootHash).toString('base64')).toBe(checkpoint.rootHash);
    }
  });
});
