// Writes fresh outputs of the pinned ML tools into fixtures/tool-outputs/ (node test/real-tools/write-fixtures.ts):
// the pipeline's good and degraded runs against a throw-away MLflow server, as the tools wrote them, and the good
// run as MLflow's REST runs/get returns it. Prints the PROVENANCE.md rows (with SHA-256) to paste.
// New files only: fixtures are never rewritten, so a file that already exists is left alone and reported.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureMlToolsVenv } from './ml-tools-venv.ts';
import { quietToolsEnv, startMlflowServer } from './mlflow-server.ts';

const run = promisify(execFile);
const DATA_SET = 'breast cancer (scikit-learn)';
const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const samples = path.join(repositoryRoot, 'fixtures/tool-outputs');
const work = mkdtempSync(path.join(tmpdir(), 'cabc-tool-fixtures-'));

const venv = await ensureMlToolsVenv((line) => console.error(line));
const versionOf = async (distribution: string) =>
  (
    await run(venv.python, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(distribution)}))`])
  ).stdout.trim();
const versions = {
  mlflow: await versionOf('mlflow'),
  evidently: await versionOf('evidently'),
  gx: await versionOf('great_expectations'),
};
const mlflow = await startMlflowServer({ bin: venv.bin, folder: path.join(work, 'mlflow') });
const written: { file: string; tool: string; run: string }[] = [];
try {
  const pipeline = async (name: string, extra: string[] = []) => {
    const out = path.join(work, name);
    const { stdout } = await run(
      venv.python,
      // Relative to the root, so that the run's source tags name no folder of this machine.
      ['test/real-tools/pipeline.py', '--tracking-uri', mlflow.url, '--experiment', 'fixtures']
        .concat(['--out', out, '--run-name', name])
        .concat(extra),
      { cwd: repositoryRoot, env: { ...process.env, ...quietToolsEnv }, maxBuffer: 64 * 1024 * 1024 },
    );
    return { out, runId: (JSON.parse(stdout.trim().split('\n').at(-1)!) as { runId: string }).runId };
  };
  const good = await pipeline('good');
  const degraded = await pipeline('degraded', ['--degrade']);
  const response = await fetch(`${mlflow.url}/api/2.0/mlflow/runs/get?run_id=${good.runId}`);
  writeFileSync(path.join(work, 'run.json'), Buffer.from(await response.arrayBuffer()));

  const place = (from: string, file: string, tool: string, run: 'good' | 'degraded') => {
    const target = path.join(samples, file);
    if (existsSync(target)) return console.error(`${file} exists: left as it is`);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(from, target);
    written.push({ file, tool, run });
  };
  const evidently = `evidently ${versions.evidently}`;
  const gx = `great_expectations ${versions.gx}`;
  const tracking = `mlflow ${versions.mlflow}`;
  place(
    path.join(good.out, 'evidently-report.json'),
    `evidently/breast_cancer_${versions.evidently}.json`,
    evidently,
    'good',
  );
  place(
    path.join(degraded.out, 'evidently-report.json'),
    `evidently/breast_cancer_drifted_${versions.evidently}.json`,
    evidently,
    'degraded',
  );
  place(path.join(good.out, 'gx-validation.json'), `great-expectations/breast_cancer_${versions.gx}.json`, gx, 'good');
  place(
    path.join(degraded.out, 'gx-validation.json'),
    `great-expectations/breast_cancer_failing_${versions.gx}.json`,
    gx,
    'degraded',
  );
  place(path.join(work, 'run.json'), `mlflow-run/breast_cancer_run_${versions.mlflow}.json`, tracking, 'good');
  place(path.join(good.out, 'MLmodel'), `mlflow-mlmodel/${versions.mlflow}/MLmodel`, tracking, 'good');
} finally {
  await mlflow.stop();
  rmSync(work, { recursive: true, force: true });
}
const today = new Date().toISOString().slice(0, 10);
// The columns of PROVENANCE.md's "Generated here" table; the content column is written by hand.
for (const { file, tool, run } of written) {
  const sha256 = createHash('sha256')
    .update(readFileSync(path.join(samples, file)))
    .digest('hex');
  const script = `\`test/real-tools/pipeline.py\`${run === 'degraded' ? ' `--degrade`' : ''}`;
  console.log(`| \`${file}\` | ${tool} | ${script} | ${today} | ${DATA_SET} | \`${sha256}\` | |`);
}
