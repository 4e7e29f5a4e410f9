import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/** The claims of a JWT, unverified (this test only reads what was minted). */
const decodeJwt = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud: unknown };

const cli = path.resolve(import.meta.dirname, '../bin/cabc');
const work = mkdtempSync(path.join(tmpdir(), 'cabc-token-'));
const issuerKey = path.join(work, 'issuer.json');

const token = async (...args: string[]) => {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'token', '--issuer-key', issuerKey, ...args], {
    env: { PATH: process.env.PATH ?? '' },
  });
  return stdout.trim();
};

describe('cabc token: one audience per service', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("aims a token at the role's usual service by default", async () => {
    const audienceOf = async (role: string) => decodeJwt(await token('--role', role, '--org', 'acme')).aud;
    expect(await audienceOf('pipeline')).toBe('cabc-collector');
    expect(await audienceOf('certification_body')).toBe('cabc-certification-body');
  });

  it('mints for the service asked, or one token per service with --service all', async () => {
    const all = (await token('--role', 'auditor', '--org', 'acme', '--service', 'all')).split(' ');
    expect(all.map((jwt) => decodeJwt(jwt).aud)).toEqual([
      'cabc-collector',
      'cabc-assessment',
      'cabc-certification-body',
    ]);
    await expect(token('--role', 'auditor', '--org', 'acme', '--service', 'everything')).rejects.toThrow(
      /--service must be one of collector, assessment, certification-body, all/,
    );
  });
});
