import { execFile } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certifyToe } from '@cabc/platform';
import { waitFor } from '@cabc/testing';
import { getJson, startTestPlatform } from '../../../apps/platform/test/platform-fixture.ts';
import { buildCliPackage, packCliPackage } from '../scripts/build-package.ts';
import type { PushReport } from '../src/commands/evidence-push.ts';

const samples = path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs');
const MODEL = `model.onnx@sha256:${'7'.repeat(64)}`;

/** A requirement only the MLflow run's parameters feed: the packed CLI's push decides the posture alone. */
const maxDepthRequirement = {
  id: 'REQ-DEPTH',
  title: 'Trees no deeper than 8',
  severity: 'high',
  critical: true,
  mitigates: ['R-WRONG-DECISIONS'],
  rule: {
    type: 'threshold',
    // The wine-quality run's: the samples hold another MLflow run (without max_depth) that is newer.
    selector: { kind: 'model_parameters', metric: 'max_depth', dataset: 'wine_quality_white' },
    operator: '<=',
    target: 8,
  },
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the CLI as a standalone npm package, installed into an empty folder', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'cabc-cli-package-'));
  const project = path.join(work, 'pipeline');
  let tarball: string;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;

  /** The installed `cabc`, run from the pipeline folder with nothing but Node on PATH and the given variables. */
  const cabc = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        path.join(project, 'node_modules', '.bin', 'cabc'),
        args,
        { cwd: project, env: { PATH: path.dirname(process.execPath), ...env }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    const built = await buildCliPackage(path.join(work, 'package'));
    tarball = await packCliPackage(built.directory, path.join(work, 'tarballs'));
    mkdirSync(project);
    await promisify(execFile)(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball],
      { cwd: project, env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 120_000 },
    );
    // The pipeline's own outputs: a copy of the sample tool outputs, outside the repository.
    cpSync(samples, path.join(project, 'reports'), { recursive: true });
    rmSync(path.join(project, 'reports', 'PROVENANCE.md'));
    // Third-party attestations need keys the scope lists (services/assessment/test/attestation-evidence.test.ts).
    rmSync(path.join(project, 'reports', 'in-toto'), { recursive: true });
    platform = await startTestPlatform();
  }, 180_000);
  afterAll(async () => {
    await platform?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs one bundled file with a cabc bin and no dependencies, so nothing links back to the workspace', async () => {
    const { stdout } = await promisify(execFile)('tar', ['-tzf', tarball]);
    expect(stdout.trim().split('\n').sort()).toEqual([
      'package/README.md',
      'package/THIRD-PARTY-LICENSES.md',
      'package/cabc.mjs',
      'package/package.json',
    ]);
    const installed = path.join(project, 'node_modules', '@cabc', 'cli');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ cabc: 'cabc.mjs' });
    expect(manifest.dependencies).toBeUndefined();
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    // npm installed exactly one package, as a real folder (a workspace link would be a symlink).
    expect(readdirSync(path.join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@cabc']);
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(installed, 'cabc.mjs'), 'utf8')).not.toMatch(/from ['"]@cabc\//);
  });

  it('answers --help', async () => {
    const help = await cabc(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: cabc/);
    for (const command of ['token', 'cert', 'evidence', 'ledger']) expect(help.stdout).toContain(command);
    const push = await cabc(['evidence', 'push', '--help']);
    expect(push.stdout).toContain('--toe <id>');
  });

  it('pushes every sample from the empty folder; the evidence arrives and the certificate follows', async () => {
    const { toeId, tokens } = await certifyToe(platform, {
      org: 'acme',
      name: 'wine-quality',
      requirements: [maxDepthRequirement],
    });
    const env = { CABC_COLLECTOR_URL: platform.urls.collector, CABC_TOKEN: tokens.pipeline, CABC_RUN_ID: 'ci-4711' };
    const result = await cabc(['evidence', 'push', 'reports', '--toe', toeId, '--model', MODEL, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PushReport;
    expect(report.summary).toMatchObject({ files: report.summary.pushed, rejected: 0, skipped: 0 });
    expect(report.summary.pushed).toBeGreaterThanOrEqual(11);
    expect(new Set(report.files.map((file) => file.format)).size).toBe(11);

    const ids = report.files.flatMap((file) => (file.evidence ?? []).map((item) => item.id));
    for (const id of ids) {
      await waitFor(`delivery of ${id}`, async () => {
        const view = await getJson(`${platform.urls.collector}/v1/evidence/${id}`, tokens.pipeline);
        if (view.body.delivery.status === 'rejected') throw new Error(`rejected: ${view.body.delivery.lastError}`);
        return view.body.delivery.status === 'delivered';
      });
    }
    const stored = await getJson(`${platform.urls.assessment}/v1/toes/${toeId}/evidence?limit=100`, tokens.auditor);
    expect(stored.status).toBe(200);
    expect(stored.body.items).toHaveLength(ids.length);

    const posture = await waitFor('the posture', async () => {
      const view = await getJson(`${platform.urls.assessment}/v1/toes/${toeId}/posture`, tokens.auditor);
      return view.body.posture === 'compliant' ? view.body : undefined;
    });
    expect(posture.requirements).toMatchObject([{ id: 'REQ-DEPTH', status: 'compliant' }]);
    await waitFor('the certificate', async () => {
      const list = await getJson(`${platform.urls.certificationBody}/v1/certificates?toe=${toeId}`, tokens.auditeeAtCertificationBody);
      return list.body.items?.[0]?.state === 'issued';
    });

    // The same CI run again (a retried job): every file is answered from the first push, nothing is stored twice.
    const again = await cabc(['evidence', 'push', 'reports', '--toe', toeId, '--model', MODEL, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const replay = JSON.parse(again.stdout) as PushReport;
    expect(replay.files.map((file) => file.httpStatus)).toEqual(report.files.map(() => 200));
    expect(replay.files.flatMap((file) => (file.evidence ?? []).map((item) => item.id))).toEqual(ids);
  }, 120_000);

  it('exits 1 with the reason when the token is missing, and sends nothing', async () => {
    const result = await cabc(['evidence', 'push', 'reports', '--toe', 'x'], {
      CABC_COLLECTOR_URL: platform.urls.collector,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a bearer token is required/);
  });
});
