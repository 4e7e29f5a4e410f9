import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, certifyToe, type CertifiedToe } from '@cabc/platform';
import { waitFor } from '../../packages/testing/src/index.ts';
import { startTestPlatform } from '../../apps/platform/test/platform-fixture.ts';
import { ensureMlToolsVenv } from './ml-tools-venv.ts';
import { quietToolsEnv, startMlflowServer, type MlflowServer } from './mlflow-server.ts';

// The real tools in the loop: a real MLflow tracking server that the collector pulls from, a scikit-learn model,
// a real Evidently report and a real Great Expectations validation that the pipeline delivers through the Python SDK
// (installed into the tools' virtualenv from clients/python) as the objects the tools returned. The certificate must
// follow: issued after a good run, revoked after a degraded one.
const run = promisify(execFile);
const pipelineScript = path.join(import.meta.dirname, 'pipeline.py');
const DATASET = 'breast-cancer-holdout';
const MINUTE = 60_000;

interface PipelineSummary {
  runId: string;
  experimentId: string;
  /** `<file>@sha256:<hex>` of the model artefact MLflow stored. */
  model: string;
  metrics: Record<'accuracy' | 'f1' | 'precision' | 'recall' | 'roc_auc', number>;
  gxSuccess: boolean;
  files: { evidently: string; greatExpectations: string; mlmodel: string };
  /** What the collector answered to each of the SDK's pushes. */
  pushed: { tool: string; submission: string; evidence: { kind: string; format: string | null }[] }[];
}

interface PostureView {
  posture: string;
  requirements: {
    id: string;
    status: string;
    reason: string;
    details: { property: string; value: unknown; success: boolean }[];
    evidenceIds: string[];
  }[];
}

const holdout = { dataset: DATASET, split: 'test' };
/** Requirements on the tools' own metric names; only accuracy is critical. */
const requirements = [
  {
    id: 'REQ-ACCURACY',
    title: 'Accuracy on the holdout at least 0.9 (MLflow run)',
    severity: 'critical',
    critical: true,
    mitigates: ['R-WRONG-DECISIONS'],
    rule: {
      type: 'threshold',
      selector: { kind: 'performance', metric: 'accuracy', ...holdout },
      operator: '>=',
      target: 0.9,
    },
  },
  {
    id: 'REQ-ROC-AUC',
    title: 'ROC AUC on the holdout at least 0.95 (MLflow run)',
    severity: 'high',
    critical: false,
    mitigates: ['R-WRONG-DECISIONS'],
    rule: {
      type: 'threshold',
      selector: { kind: 'performance', metric: 'roc_auc', ...holdout },
      operator: '>=',
      target: 0.95,
    },
  },
  {
    id: 'REQ-NO-DRIFT',
    title: 'At most 30% of the features drifted (Evidently)',
    severity: 'high',
    critical: false,
    mitigates: ['R-WRONG-DECISIONS'],
    rule: { type: 'threshold', selector: { kind: 'drift', metric: 'drift_share' }, operator: '<=', target: 0.3 },
  },
  {
    id: 'REQ-DATA-QUALITY',
    title: 'Every expectation on the evaluation data holds (Great Expectations)',
    severity: 'high',
    critical: false,
    mitigates: ['R-WRONG-DECISIONS'],
    rule: { type: 'checks', kind: 'data_quality' },
  },
];

describe('real ML tools end to end: MLflow pull, Evidently and Great Expectations through the collector', () => {
  let venv: Awaited<ReturnType<typeof ensureMlToolsVenv>>;
  let mlflow: MlflowServer;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let toe: CertifiedToe;
  let experimentId: string;
  const work = mkdtempSync(path.join(tmpdir(), 'cabc-real-tools-'));

  let good: PipelineSummary;

  beforeAll(async () => {
    // The first run installs the tools (minutes); later runs find the stamp and go on at once.
    venv = await ensureMlToolsVenv((line) => console.log(`real-tools: ${line}`));
    // Two things at once on the way in: the tracking server (an ML team's side), and the platform with the ToE
    // registered and approved (the auditor's).
    const mlSide = async () => {
      mlflow = await startMlflowServer({ bin: venv.bin, folder: path.join(work, 'mlflow') });
      experimentId = (
        await api<{ experiment_id: string }>('POST', `${mlflow.url}/api/2.0/mlflow/experiments/create`, {
          body: { name: 'tumour-classifier' },
        })
      ).experiment_id;
    };
    const certificationSide = async () => {
      platform = await startTestPlatform({ env: { collector: { COLLECTOR_ORG: 'acme' } } });
      toe = await certifyToe(platform, { org: 'acme', name: 'tumour-classifier', requirements });
    };
    await Promise.all([mlSide(), certificationSide()]);
    // The operator points the collector's pull at the tracking server once the ToE it collects for exists.
    await platform.stop('collector');
    await platform.start('collector', {
      MLFLOW_TRACKING_URI: mlflow.url,
      MLFLOW_EXPERIMENT_IDS: experimentId,
      MLFLOW_TOE: toe.toeId,
      MLFLOW_POLL_INTERVAL: '1s',
    });
    good = await runPipeline('good');
  }, 25 * MINUTE);
  afterAll(async () => {
    await platform?.dispose();
    await mlflow?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function runPipeline(name: string, extra: string[] = []): Promise<PipelineSummary> {
    const out = path.join(work, name);
    const args = [pipelineScript, '--tracking-uri', mlflow.url, '--experiment', 'tumour-classifier', '--out', out];
    // The pipeline's last step delivers its Evidently and Great Expectations results through the Python SDK.
    args.push('--collector', platform.urls.collector, '--toe', toe.toeId, '--token', toe.tokens.pipeline);
    const { stdout } = await run(venv.python, [...args, '--run-name', name, ...extra], {
      env: { ...process.env, ...quietToolsEnv },
      timeout: 5 * MINUTE,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`pipeline ${name} failed: ${error.message}\n${error.stderr ?? ''}`);
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as PipelineSummary;
  }

  const posture = () =>
    api<PostureView>('GET', `${platform.urls.assessment}/v1/toes/${toe.toeId}/posture`, { token: toe.tokens.auditor });
  const requirement = (view: PostureView, id: string) => view.requirements.find((entry) => entry.id === id)!;
  const certificate = async () =>
    (
      await api<{ items: { id: string; state: string }[] }>(
        'GET',
        `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
        { token: toe.tokens.auditeeAtCertificationBody },
      )
    ).items[0];
  const certificateIn = (state: string) =>
    waitFor(
      `the certificate ${state}`,
      async () => {
        const found = await certificate();
        return found?.state === state ? found : undefined;
      },
      { timeoutMs: 2 * MINUTE, intervalMs: 500 },
    );
  /** Which tool's evidence a requirement read: the adapter that made it, e.g. `@cabc/adapters/mlflow-run@1`. */
  const adapterOf = async (evidenceId: string) =>
    (
      await api<{ predicate: { producer: { adapter?: string } } }>(
        'GET',
        `${platform.urls.assessment}/v1/toes/${toe.toeId}/evidence/${evidenceId}`,
        { token: toe.tokens.auditor },
      )
    ).predicate.producer.adapter;

  let issuedId: string;

  it(
    'issues the certificate after a good run: metrics pulled from MLflow, drift and data quality pushed',
    async () => {
      expect(good.experimentId).toBe(experimentId);
      expect(good.metrics.accuracy).toBeGreaterThan(0.9);
      expect(good.gxSuccess).toBe(true);

      // The SDK's pushes, as the collector answered them: the formats it detected in the tools' own objects.
      expect(
        good.pushed.map((push) => [push.tool, [...new Set(push.evidence.map((item) => item.format))]]),
      ).toEqual([
        ['evidently', ['evidently-snapshot']],
        ['great_expectations', ['great-expectations']],
      ]);
      expect(good.pushed[0]!.evidence.map((item) => item.kind).sort()).toEqual(['drift', 'performance']);

      const issued = await certificateIn('issued');
      issuedId = issued.id;
      const view = await posture();
      expect(view.posture).toBe('compliant');
      expect(view.requirements.map((entry) => [entry.id, entry.status])).toEqual(
        requirements.map((entry) => [entry.id, 'compliant']),
      );
      // The numbers are the pipeline's own, read from the evidence of the tool each requirement names.
      const accuracy = requirement(view, 'REQ-ACCURACY');
      expect(accuracy.details[0]!.value).toBe(good.metrics.accuracy);
      expect(requirement(view, 'REQ-ROC-AUC').details[0]!.value).toBe(good.metrics.roc_auc);
      expect(await adapterOf(accuracy.evidenceIds[0]!)).toBe('@cabc/adapters/mlflow-run@1');
      expect(await adapterOf(requirement(view, 'REQ-NO-DRIFT').evidenceIds[0]!)).toBe(
        '@cabc/adapters/evidently-snapshot@1',
      );
      expect(await adapterOf(requirement(view, 'REQ-DATA-QUALITY').evidenceIds[0]!)).toBe(
        '@cabc/adapters/great-expectations@1',
      );
      const status = await api<{ status: string }>('GET', `${platform.urls.certificationBody}/v1/status/${issued.id}`);
      expect(status.status).toBe('good');
    },
    10 * MINUTE,
  );

  it(
    'revokes it after a degraded run: shuffled labels fail the critical accuracy, drift and expectations fail too',
    async () => {
      const degraded = await runPipeline('degraded', ['--degrade']);
      expect(degraded.metrics.accuracy).toBeLessThan(0.9);
      expect(degraded.gxSuccess).toBe(false);
      expect(degraded.pushed.map((push) => push.evidence.length)).toEqual(good.pushed.map((p) => p.evidence.length));

      const view = await waitFor(
        'every requirement judged on the degraded run',
        async () => {
          const current = await posture();
          return current.requirements.every((entry) => entry.status === 'non_compliant') ? current : undefined;
        },
        { timeoutMs: 2 * MINUTE, intervalMs: 500 },
      );
      expect(view.posture).toBe('non_compliant');
      expect(requirement(view, 'REQ-ACCURACY').details[0]!.value).toBe(degraded.metrics.accuracy);
      expect(requirement(view, 'REQ-NO-DRIFT').details[0]!.value).toBeGreaterThanOrEqual(0.5);
      expect(requirement(view, 'REQ-DATA-QUALITY').details.filter((detail) => !detail.success).length).toBe(2);

      const revoked = await certificateIn('revoked');
      expect(revoked.id).toBe(issuedId);
      const history = (
        await api<{ history: { to: string; reasonCode: number }[] }>(
          'GET',
          `${platform.urls.certificationBody}/v1/certificates/${revoked.id}`,
          { token: toe.tokens.auditeeAtCertificationBody },
        )
      ).history;
      // Whatever arrived first (a non-critical failure may suspend it a moment earlier), the critical accuracy
      // failure revokes it: reason 5, critical_requirement_failed.
      expect(history.at(-1)).toMatchObject({ to: 'revoked', reasonCode: 5 });
      const status = await api<{ status: string }>('GET', `${platform.urls.certificationBody}/v1/status/${revoked.id}`);
      expect(status.status).toBe('revoked');
    },
    10 * MINUTE,
  );
});
