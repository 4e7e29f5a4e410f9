// The Python SDK in the test command: its type check (mypy --strict), its pytest unit suite, and its integration
// tests against the running platform, in a virtualenv under .tools/ (made once, reused while unchanged).
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formats } from '@cabc/adapters';
import { evidenceKinds } from '@cabc/contracts';
import { certifyToe } from '@cabc/platform';
import { getJson, startTestPlatform } from '../../../apps/platform/test/platform-fixture.ts';
import { type PushReport, runIdVariables } from '../../../packages/cli/src/commands/evidence-push.ts';
import { ensurePythonTool, type PythonVenv } from '@cabc/testing/python';

const project = path.resolve(import.meta.dirname, '..');
const repositoryRoot = path.resolve(project, '../..');
const reports = mkdtempSync(path.join(tmpdir(), 'cabc-pytest-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function python(venv: PythonVenv, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      venv.python,
      args,
      {
        cwd: project,
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: `${venv.bin}${path.delimiter}${process.env.PATH ?? ''}`,
          HOME: process.env.HOME ?? tmpdir(),
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** pytest's JUnit XML totals: a suite that skipped or ran nothing must not pass for a green one. */
function junitTotals(file: string) {
  const xml = readFileSync(file, 'utf8');
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
  const count = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? Number.NaN);
  return { tests: count('tests'), failures: count('failures'), errors: count('errors'), skipped: count('skipped') };
}

async function pytest(venv: PythonVenv, name: string, args: string[], env: Record<string, string> = {}) {
  const junit = path.join(reports, `${name}.xml`);
  const result = await python(venv, ['-m', 'pytest', '-p', 'no:cacheprovider', `--junitxml=${junit}`, ...args], env);
  return { ...result, totals: junitTotals(junit) };
}

describe('the Python SDK', () => {
  let venv: PythonVenv;
  beforeAll(async () => {
    venv = await ensurePythonTool('sdk');
  }, 300_000);
  afterAll(() => rmSync(reports, { recursive: true, force: true }));

  it('installs with the standard library only; mypy --strict and ruff find nothing', async () => {
    const shown = await python(venv, ['-m', 'pip', 'show', 'cabc']);
    expect(shown.stdout).toMatch(/^Requires: *$/m);
    const mypy = await python(venv, [
      '-m',
      'mypy',
      '--strict',
      '--cache-dir',
      path.join(repositoryRoot, '.tools', 'mypy-cache'),
    ]);
    expect(mypy.code, mypy.stdout + mypy.stderr).toBe(0);
    expect(mypy.stdout).toMatch(/Success: no issues found in \d+ source files/);
    const lint = await python(venv, ['-m', 'ruff', 'check', '--no-cache', 'src', 'tests']);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const format = await python(venv, ['-m', 'ruff', 'format', '--no-cache', '--check', 'src', 'tests']);
    expect(format.code, format.stdout + format.stderr).toBe(0);
  }, 120_000);

  it('knows the kinds and formats the platform knows, and reads the run id where the Node CLI does', async () => {
    const printed = await python(venv, [
      '-c',
      'import cabc, json; print(json.dumps([cabc.EVIDENCE_KINDS, cabc.FORMATS, cabc.RUN_ID_VARIABLES]))',
    ]);
    expect(JSON.parse(printed.stdout)).toEqual([[...evidenceKinds], [...formats], [...runIdVariables]]);
  });

  it('passes its unit tests (pytest: arguments, retries against a local server, problems, CLI, tool helpers)', async () => {
    const run = await pytest(venv, 'unit', ['-m', 'not platform']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.totals.tests).toBeGreaterThan(100);
    expect(run.totals).toMatchObject({ failures: 0, errors: 0, skipped: 0 });
  }, 120_000);

  describe('against the running platform', () => {
    let platform: Awaited<ReturnType<typeof startTestPlatform>>;
    beforeAll(async () => {
      platform = await startTestPlatform();
    });
    afterAll(async () => {
      await platform?.dispose();
    });

    it('stores and assesses what the SDK pushes; the certificate follows (pytest -m platform)', async () => {
      const metrics = await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
      const files = await certifyToe(platform, { org: 'acme', name: 'wine-quality' });
      const run = await pytest(venv, 'platform', ['-m', 'platform'], {
        CABC_TEST_COLLECTOR_URL: platform.urls.collector,
        CABC_TEST_ASSESSMENT_URL: platform.urls.assessment,
        CABC_TEST_CERTIFICATION_URL: platform.urls.certificationBody,
        CABC_TEST_PIPELINE_TOKEN: metrics.tokens.pipeline,
        CABC_TEST_AUDITOR_TOKEN: metrics.tokens.auditor,
        // The Python test reads the certification body with it: a token of that service's audience.
        CABC_TEST_AUDITEE_TOKEN: metrics.tokens.auditeeAtCertificationBody,
        CABC_TEST_METRICS_TOE: metrics.toeId,
        CABC_TEST_FILES_TOE: files.toeId,
        CABC_TEST_FIXTURES: path.join(repositoryRoot, 'fixtures', 'tool-outputs'),
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.totals).toEqual({ tests: 4, failures: 0, errors: 0, skipped: 0 });

      // What pytest saw, seen again from the auditor's and the certification body's side.
      const stored = await getJson(
        `${platform.urls.assessment}/v1/toes/${metrics.toeId}/evidence?limit=10`,
        metrics.tokens.auditor,
      );
      expect(stored.body.items).toHaveLength(2);
      const detail = await getJson(
        `${platform.urls.assessment}/v1/evidence/${stored.body.items[1].id}`,
        metrics.tokens.auditor,
      );
      expect(detail.body.predicate).toMatchObject({
        toe: metrics.toeId,
        kind: 'performance',
        producer: { tool: 'cabc-python', pipelineRunId: 'train-41' },
        measurements: [
          { name: 'accuracy', value: 0.95 },
          { name: 'f1', value: 0.94 },
        ],
      });
      const certificates = await getJson(
        `${platform.urls.certificationBody}/v1/certificates?toe=${metrics.toeId}`,
        metrics.tokens.auditeeAtCertificationBody,
      );
      const certificate = await getJson(
        `${platform.urls.certificationBody}/v1/certificates/${certificates.body.items[0].id}`,
        metrics.tokens.auditeeAtCertificationBody,
      );
      expect(
        certificate.body.history.map((entry: { from: string; to: string }) => `${entry.from}->${entry.to}`),
      ).toEqual(['none->issued', 'issued->revoked']);
    }, 240_000);

    it('python -m cabc push reads a folder exactly as the Node CLI does', async () => {
      const { toeId, tokens } = await certifyToe(platform, { org: 'acme', name: 'both-clis' });
      const outputs = mkdtempSync(path.join(tmpdir(), 'cabc-outputs-'));
      cpSync(path.join(repositoryRoot, 'fixtures', 'tool-outputs'), outputs, { recursive: true });
      // Third-party attestations need keys the scope lists (services/assessment/test/attestation-evidence.test.ts).
      rmSync(path.join(outputs, 'in-toto'), { recursive: true });
      writeFileSync(path.join(outputs, 'loss.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
      writeFileSync(path.join(outputs, 'notes.json'), '{"epochs": 12}');
      const args = ['--toe', toeId, '--model', `model.onnx@sha256:${'5'.repeat(64)}`, '--json'];
      const env = { CABC_COLLECTOR_URL: platform.urls.collector, CABC_TOKEN: tokens.pipeline };
      const fromPython = await python(venv, ['-m', 'cabc', 'push', outputs, ...args], env);
      const fromNode = await new Promise<Run>((resolve) =>
        execFile(
          process.execPath,
          [path.join(repositoryRoot, 'packages/cli/bin/cabc'), 'evidence', 'push', outputs, ...args],
          { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        ),
      );
      rmSync(outputs, { recursive: true, force: true });
      expect(fromPython.code, fromPython.stderr).toBe(fromNode.code);
      const outline = (stdout: string) => {
        const report = JSON.parse(stdout) as PushReport;
        return {
          ok: report.ok,
          summary: report.summary,
          files: report.files.map((file) => ({
            path: path.relative(outputs, file.path),
            status: file.status,
            format: file.format,
            kinds: file.evidence?.map((item) => item.kind) ?? [],
          })),
        };
      };
      const fromPythonOutline = outline(fromPython.stdout);
      expect(fromPythonOutline).toEqual(outline(fromNode.stdout));
      // Skipped: PROVENANCE.md, loss.png and notes.json are no tool output.
      expect(fromPythonOutline.summary).toMatchObject({ skipped: 3, rejected: 0 });
      expect(fromPythonOutline.summary.files).toBe(fromPythonOutline.summary.pushed + 3);
      expect(fromPythonOutline.summary.pushed).toBeGreaterThanOrEqual(11);
    }, 240_000);
  });
});
