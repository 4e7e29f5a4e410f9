import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalCertificates, type LocalCertificates } from '@cabc/local-servers';
import { waitFor } from '@cabc/testing';
import { certifyToe } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, startTestPlatform } from './platform-fixture.ts';

// Issue 12 item 5: the three services over mutual TLS (a local CA from makeLocalCertificates, as
// `run-platform.sh --tls` uses), and a client without a certificate refused at a machine-to-machine route.
describe('mutual TLS between the services', () => {
  let dir: string;
  let certificates: LocalCertificates;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cabc-tls-'));
    certificates = await makeLocalCertificates(dir);
    platform = await startTestPlatform({ tls: certificates });
  }, 120_000);
  afterAll(async () => {
    await platform?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers evidence to a certificate over HTTPS with client certificates', async () => {
    expect(platform.urls.assessment).toMatch(/^https:/);
    const { toeId: toe, tokens } = await certifyToe(platform, { org: 'acme', name: 'credit-scoring-mtls' });
    const submitted = await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe, 0.95), {
      authorization: `Bearer ${tokens.pipeline}`,
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const issued = await waitFor('an issued certificate', async () => {
      const list = await getJson(
        `${platform.urls.certificationBody}/v1/certificates?toe=${encodeURIComponent(toe)}`,
        tokens.auditeeAtCertificationBody,
      );
      const [first] = list.body.items ?? [];
      return first?.state === 'issued' ? first : undefined;
    });
    expect(issued.toe).toBe(toe);
  });

  it('refuses a client without a certificate at the machine routes, and lets it reach the others', async () => {
    // This client trusts the local CA (so the handshake succeeds) but presents no certificate of its own.
    const anonymous = new Agent({ connect: { ca: readFileSync(certificates.caFile) } });
    try {
      const evidence = await request(`${platform.urls.assessment}/v1/evidence`, {
        method: 'POST',
        dispatcher: anonymous,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(evidence.statusCode).toBe(401);
      expect(evidence.headers['content-type']).toContain('application/problem+json');
      const problem = (await evidence.body.json()) as { type: string; errors: { field: string }[] };
      expect(problem.type).toBe('https://cabc.dev/problems/client-certificate-required');
      expect(problem.errors[0]?.field).toBe('tls:client-certificate');

      const callback = await request(`${platform.urls.certificationBody}/v1/callbacks/assessment`, {
        method: 'POST',
        dispatcher: anonymous,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(callback.statusCode).toBe(401);
      await callback.body.dump();

      // A route for people (a bearer token, no client certificate) is still reachable.
      const health = await request(`${platform.urls.assessment}/healthz`, { dispatcher: anonymous });
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    } finally {
      await anonymous.close();
    }
  });
});
