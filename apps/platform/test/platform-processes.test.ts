import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { certifyToe, startPlatformProcesses, type PlatformProcesses } from '../src/index.ts';
import { getJson, performanceEvidence, postJson, testPlatformResources } from './platform-fixture.ts';

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// The run command's mode: every service's API and its workers as processes of their own under the supervisor.
describe('the platform as supervised processes', () => {
  const log: string[] = [];
  let resources: Awaited<ReturnType<typeof testPlatformResources>>;
  let platform: PlatformProcesses;

  beforeAll(async () => {
    const output = new PassThrough();
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => log.push(chunk));
    resources = await testPlatformResources('processes');
    platform = await startPlatformProcesses({ ...resources.options, logLevel: 'warn', output });
  }, 120_000);
  afterAll(async () => {
    await platform?.close();
    await resources?.release();
  });

  it('runs evidence to a certificate, survives kill -9 of a process, and SIGTERM ends every process', async () => {
    const names = platform.supervisor.names();
    expect(names.sort()).toEqual([
      'assessment-http',
      'assessment-workers',
      'certification-body-http',
      'certification-body-workers',
      'collector-http',
      'collector-workers',
    ]);
    const pids = names.map((name) => platform.supervisor.state(name).pid!);
    expect(new Set(pids).size).toBe(6);
    expect(pids).not.toContain(process.pid);

    const { toeId: toe, tokens } = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
    const pipeline = { authorization: `Bearer ${tokens.pipeline}` };
    const certificate = async () =>
      (
        await getJson(
          `${platform.urls.certificationBody}/v1/certificates?toe=${encodeURIComponent(toe)}`,
          tokens.auditeeAtCertificationBody,
        )
      ).body.items[0] as { id: string; state: string } | undefined;
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe, 0.95), pipeline)).status,
    ).toBe(201);
    const issued = await waitFor(
      'an issued certificate',
      async () => {
        const found = await certificate();
        return found?.state === 'issued' ? found : undefined;
      },
      { timeoutMs: 60_000 },
    );

    // The assessment's workers (evaluation, callbacks to the certification body) die without a chance to clean up.
    const victim = platform.supervisor.state('assessment-workers');
    const restarted = platform.supervisor.nextReady('assessment-workers');
    process.kill(victim.pid!, 'SIGKILL');
    await restarted;
    const after = platform.supervisor.state('assessment-workers');
    expect(after.restarts).toBe(1);
    expect(after.pid).not.toBe(victim.pid);
    expect(isRunning(victim.pid!)).toBe(false);
    expect(log.join('')).toMatch(/supervisor \| assessment-workers \(pid \d+\) ended with signal SIGKILL/);

    // The flow goes on through the restarted process: degraded evidence revokes the certificate.
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe, 0.71), pipeline)).status,
    ).toBe(201);
    await waitFor(
      'the certificate revoked',
      async () => {
        const detail = await getJson(
          `${platform.urls.certificationBody}/v1/certificates/${issued.id}`,
          tokens.auditeeAtCertificationBody,
        );
        return detail.body.state === 'revoked' ? detail.body : undefined;
      },
      { timeoutMs: 60_000 },
    );

    const running = platform.supervisor.names().map((name) => platform.supervisor.state(name).pid!);
    await platform.close();
    expect(running.filter(isRunning)).toEqual([]);
    // Each ended on SIGTERM through its own graceful shutdown (exit code 0), not restarted.
    expect(log.join('').match(/supervisor \| [a-z-]+ stopped \(code 0\)/g), log.join('').slice(-3000)).toHaveLength(6);
  }, 180_000);
});
