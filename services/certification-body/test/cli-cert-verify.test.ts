import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { verifyCertificate } from '../../../packages/cli/src/commands/cert-verify.ts';
import { bearer, startCertificationApp, type CertificationFixture } from './support/certification-app.ts';
import { auditor } from './support/scenario.ts';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cabc = path.join(repositoryRoot, 'packages/cli/bin/cabc');

/** Runs `cabc` as a child process, as a user would. */
function run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cabc, ...args],
      { cwd: repositoryRoot, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe('cabc cert verify <jwt> --jwks <file|url>', () => {
  let fixture: CertificationFixture;
  let baseUrl: string;
  let directory: string;
  let jwksFile: string;
  let token: string;
  let suspendedToken: string;
  let revokedToken: string;
  let revokedId: string;
  let goodId: string;
  let drive: ReturnType<typeof auditor>;
  let modelFile: string;
  let modelSha256: string;
  beforeAll(async () => {
    fixture = await startCertificationApp();
    baseUrl = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    drive = auditor(fixture);
    directory = mkdtempSync(path.join(tmpdir(), 'cabc-cert-verify-'));
    jwksFile = path.join(directory, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify((await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()),
    );
    const tokenOf = async (id: string) =>
      (
        await fixture.app.inject({
          method: 'GET',
          url: `/v1/certificates/${id}`,
          headers: await bearer('certification_body', 'acme'),
        })
      ).json().token as string;
    modelFile = path.join(directory, 'model.onnx');
    writeFileSync(modelFile, 'the certified model bytes');
    modelSha256 = createHash('sha256').update('the certified model bytes').digest('hex');
    await drive.approve('toe-cli', 3, {
      scopeDigest: 'e'.repeat(64),
      artifacts: { models: [{ name: 'model.onnx', sha256: modelSha256 }], datasets: [] },
    });
    goodId = (await drive.posture('toe-cli', 'compliant', { scopeVersion: 3 })).certificateId!;
    token = await tokenOf(goodId);
    await drive.approve('toe-cli-suspended', 1);
    const suspended = await drive.posture('toe-cli-suspended', 'compliant');
    await drive.posture('toe-cli-suspended', 'non_compliant');
    suspendedToken = await tokenOf(suspended.certificateId!);
    await drive.approve('toe-cli-revoked', 1);
    revokedId = (await drive.posture('toe-cli-revoked', 'compliant')).certificateId!;
    await drive.posture('toe-cli-revoked', 'non_compliant', { criticalFailed: true });
    revokedToken = await tokenOf(revokedId);
  });
  afterAll(async () => {
    await fixture?.dispose();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('verifies against a JWKS file, prints the claims and the live status, exits 0 when valid and good', async () => {
    const result = await run(['cert', 'verify', token, '--jwks', jwksFile, '--status-url', baseUrl]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/signature\s+valid \(EdDSA, kid \S+, issuer cabc-certification-body\)/);
    expect(result.stdout).toMatch(/ToE\s+toe-cli \(Credit scoring\), organization acme/);
    expect(result.stdout).toMatch(new RegExp(`scope\\s+version 3, sha256 ${'e'.repeat(64)}`));
    expect(result.stdout).toMatch(/requirements\s+2 \(1 critical\)/);
    expect(result.stdout).toMatch(/status\s+good/);
    expect(result.stdout).toMatch(/verdict\s+GOOD/);
  });

  it('says whether a model file is the certified one (--subject <sha256>, --subject-file <path>)', async () => {
    const args = ['cert', 'verify', token, '--jwks', jwksFile, '--status-url', baseUrl];
    const certified = await run([...args, '--subject', modelSha256]);
    expect(certified.code, certified.stderr).toBe(0);
    expect(certified.stdout).toMatch(new RegExp(`artifacts\\s+model model.onnx sha256 ${modelSha256}`));
    expect(certified.stdout).toMatch(/subject\s+sha256 \S+: the certified model model.onnx/);
    expect((await run([...args, '--subject-file', modelFile])).code).toBe(0);

    const otherFile = path.join(directory, 'other.onnx');
    writeFileSync(otherFile, 'another model');
    const other = await run([...args, '--subject-file', otherFile, '--json']);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toMatchObject({
      verdict: 'not_certified_subject',
      valid: false,
      subject: { certified: false, artifact: null },
    });
    const bad = await run([...args, '--subject', 'not-a-digest']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--subject: expected a sha256/);
  });

  it('prints a JSON report with --json', async () => {
    const result = await run(['cert', 'verify', token, '--jwks', jwksFile, '--status-url', baseUrl, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      verdict: 'good',
      valid: true,
      signature: { valid: true, alg: 'EdDSA', typ: 'cabc-certificate+jwt' },
      claims: { toe: 'toe-cli', org: 'acme', scope: { version: 3 } },
      validity: { current: true },
      status: { checked: true, url: expect.stringContaining('/v1/status/'), answer: { status: 'good' } },
    });
  });

  it('derives the status URL from a JWKS URL and reads the token from a file or stdin', async () => {
    const tokenFile = path.join(directory, 'certificate.jwt');
    writeFileSync(tokenFile, `${token}\n`);
    const fromFile = await run([
      'cert',
      'verify',
      `@${tokenFile}`,
      '--jwks',
      `${baseUrl}/.well-known/jwks.json`,
      '--json',
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout).status).toMatchObject({
      checked: true,
      url: `${baseUrl}/v1/status/${JSON.parse(fromFile.stdout).claims.sub}`,
    });
    const fromStdin = await run(['cert', 'verify', '-', '--jwks', jwksFile, '--offline'], token);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toMatch(/status\s+NOT CHECKED \(--offline/);
    expect(fromStdin.stdout).toMatch(/verdict\s+SIGNATURE_VALID/);
    expect(fromStdin.stdout).not.toMatch(/GOOD/);
  });

  it('never says good for a revoked certificate: --jwks FILE alone (no status URL) is unknown, exit 1', async () => {
    const human = await run(['cert', 'verify', revokedToken, '--jwks', jwksFile]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/status\s+UNKNOWN: no status URL/);
    expect(human.stdout).toMatch(/verdict\s+UNKNOWN/);
    const asked = await run(['cert', 'verify', revokedToken, '--jwks', jwksFile, '--status-url', baseUrl]);
    expect(asked.code).toBe(1);
    expect(asked.stdout).toMatch(/status\s+revoked \(reason 5 critical_requirement_failed\), signed/);
  });

  it('says unknown when the status answer is unsigned, about another certificate, stale, or unreachable', async () => {
    const good = await fetch(`${baseUrl}/v1/status/${goodId}`, { headers: { accept: 'application/jwt' } });
    const goodStatusJwt = await good.text();
    // A status server that answers for the revoked certificate with what it can: plain JSON saying good, or the
    // genuine signed answer about another (good) certificate.
    const answers: Record<string, { type: string; body: string }> = {
      unsigned: {
        type: 'application/json',
        body: JSON.stringify({ certificateId: revokedId, status: 'good', thisUpdate: new Date().toISOString() }),
      },
      replayed: { type: 'application/jwt', body: goodStatusJwt },
    };
    const forger = createServer((request, response) => {
      const answer = answers[request.url!.split('/')[1]!]!;
      response.writeHead(200, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((resolve) => forger.listen(0, '127.0.0.1', resolve));
    const forgerUrl = `http://127.0.0.1:${(forger.address() as AddressInfo).port}`;
    // In process (the same function the command runs), so each case costs no CLI start.
    const verify = (certificate: string, statusUrl: string, now?: Date) =>
      verifyCertificate(certificate, { jwks: jwksFile, statusUrl, timeout: '5s' }, now);
    try {
      for (const [what, error] of [
        ['unsigned', /not a signed status/],
        ['replayed', /about certificate \S+, not/],
      ] as const) {
        const report = await verify(revokedToken, `${forgerUrl}/${what}`);
        expect(report, what).toMatchObject({ verdict: 'unknown', valid: false });
        expect(report.status.error, what).toMatch(error);
      }
    } finally {
      await new Promise((resolve) => forger.close(resolve));
    }
    // A genuine good answer, read after its nextUpdate (an old answer replayed by a cache or an attacker).
    const later = new Date(Date.now() + 3_600_000);
    const stale = await verify(token, baseUrl, later);
    expect(stale).toMatchObject({ verdict: 'unknown', valid: false });
    expect(stale.status.error).toMatch(/stale \(nextUpdate .* has passed\)/);
    expect(await verify(token, 'http://127.0.0.1:1')).toMatchObject({ verdict: 'unknown', valid: false });
    expect(await verify(token, baseUrl)).toMatchObject({ verdict: 'good', valid: true });
  });

  it('exits 1 when the live status is not good', async () => {
    const result = await run(['cert', 'verify', suspendedToken, '--jwks', jwksFile, '--status-url', baseUrl]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/status\s+suspended \(reason 2 non_compliance\)/);
    expect(result.stdout).toMatch(/verdict\s+SUSPENDED/);
  });

  it('exits 1 for a tampered certificate or one signed by another key', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, toe: 'another-system' })).toString('base64url')}.${signature}`;
    const result = await run(['cert', 'verify', tampered, '--jwks', jwksFile, '--offline']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/signature\s+INVALID: the signature does not verify/);

    const other = await generateSigningKey();
    const otherJwks = path.join(directory, 'other-jwks.json');
    writeFileSync(
      otherJwks,
      JSON.stringify({
        keys: [{ ...other.publicJwk, kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid }],
      }),
    );
    const wrongKey = await run(['cert', 'verify', token, '--jwks', otherJwks, '--offline', '--json']);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({
      verdict: 'invalid',
      valid: false,
      signature: { valid: false },
    });
  });

  it('exits 1 for something that is not a certificate, or a JWKS it cannot read', async () => {
    const notJwt = await run(['cert', 'verify', 'not-a-token', '--jwks', jwksFile, '--json']);
    expect(notJwt.code).toBe(1);
    expect(JSON.parse(notJwt.stdout).signature.error).toMatch(/compact JWS/);
    const missing = await run(['cert', 'verify', token, '--jwks', path.join(directory, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT|no such file/);
  });
});
