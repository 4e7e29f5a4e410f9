import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateLocalIssuer } from '@cabc/auth';
import { startTestPlatform } from './platform-fixture.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../../..');

/** The README's tour, pointed at this test's platform instead of the default ports. */
function readmeTour(urls: { collector: string; assessment: string; certificationBody: string }): string {
  const readme = readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8');
  const tour = readme.split('## A two-minute tour')[1]!.split('```sh\n')[1]!.split('```')[0]!;
  return tour
    .replaceAll('localhost:8081', urls.collector.replace('http://', ''))
    .replaceAll('localhost:8082', urls.assessment.replace('http://', ''))
    .replaceAll('localhost:8083', urls.certificationBody.replace('http://', ''))
    .replaceAll('http://localhost:', 'http://127.0.0.1:')
    .replaceAll('./scripts/cabc', `node ${path.join(repositoryRoot, 'packages/cli/bin/cabc')}`);
}

describe('the README tour', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  const issuerKeyFile = path.join(mkdtempSync(path.join(tmpdir(), 'cabc-tour-')), 'issuer.json');
  beforeAll(async () => {
    platform = await startTestPlatform({ tokenIssuer: await loadOrCreateLocalIssuer(issuerKeyFile) });
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  it('takes a certificate from issued to revoked, as the README says', async () => {
    const { stdout } = await promisify(execFile)('bash', ['-e', '-c', readmeTour(platform.urls)], {
      cwd: repositoryRoot,
      env: { ...process.env, CABC_ISSUER_KEY_FILE: issuerKeyFile },
      timeout: 60_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('approved');
    expect(lines).toContain('compliant');
    expect(lines).toContain('good');
    expect(lines).toContain('revoked');
    expect(stdout).toMatch(/none -> issued/);
    expect(stdout).toMatch(/issued -> revoked \(critical requirement failed/);
    expect(stdout).toMatch(/signature\s+valid/);
    expect(stdout).toMatch(/verdict\s+REVOKED/);
    expect(lines.at(-1)).toBe('collector: 401');
  }, 90_000);
});
