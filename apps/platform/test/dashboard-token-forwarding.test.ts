import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAudiences, mintToken, type ServiceName } from '@cabc/auth';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { startDashboard, type RunningDashboard } from '@cabc/dashboard';

/** A stand-in service that records the headers of every request it gets. */
async function recordingService() {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    response.setHeader('content-type', 'application/json');
    response.end('{"items":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("the dashboard passes each service only a token of that service's audience", () => {
  let dashboard: RunningDashboard;
  let services: Record<'assessment' | 'certification' | 'collector', Awaited<ReturnType<typeof recordingService>>>;
  let key: SigningKey;
  beforeAll(async () => {
    key = await generateSigningKey();
    services = {
      assessment: await recordingService(),
      certification: await recordingService(),
      collector: await recordingService(),
    };
    dashboard = await startDashboard({
      port: 0,
      assessmentUrl: services.assessment.url,
      certificationBodyUrl: services.certification.url,
      collectorUrl: services.collector.url,
    });
  }, 180_000);
  afterAll(async () => {
    await dashboard?.close();
    for (const service of Object.values(services ?? {})) await service.close();
  });

  const tokenFor = (service: ServiceName) =>
    mintToken({
      issuer: 'cabc-local',
      audience: defaultAudiences[service],
      subject: 'alice',
      org: 'acme',
      role: 'auditee',
      ttlSeconds: 600,
      key,
    });
  const get = async (path: string, token: string) =>
    fetch(`${dashboard.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it("refuses to pass the assessment's token to the certification body or the collector (401), which never see it", async () => {
    const assessmentToken = await tokenFor('assessment');
    for (const path of ['/api/certification/v1/certificates?toe=x', '/api/collector/v1/evidence']) {
      const answer = await get(path, assessmentToken);
      expect(answer.status, path).toBe(401);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(((await answer.json()) as { detail: string }).detail).toMatch(/not one for the (certification|collector)/);
    }
    expect(services.certification.seen).toEqual([]);
    expect(services.collector.seen).toEqual([]);
  });

  it('passes each service the token minted for it', async () => {
    const token = await tokenFor('certification-body');
    expect((await get('/api/certification/v1/certificates?toe=x', token)).status).toBe(200);
    expect(services.certification.seen.map((headers) => headers.authorization)).toEqual([`Bearer ${token}`]);
  });
});
