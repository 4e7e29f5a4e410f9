import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleManifest, OscalModel } from '@cabc/oscal';
import { nistSchemaErrors, validateWithTrestle } from '@cabc/oscal/validation';
import { accuracyRequirement, certifyToe, type CertifiedToe } from '@cabc/platform';
import { waitFor } from '@cabc/testing';
import {
  getJson,
  performanceEvidence,
  postJson,
  startTestPlatform,
} from '../../../apps/platform/test/platform-fixture.ts';

interface ProblemBody {
  errors: { field: string }[];
}

const cli = path.resolve(import.meta.dirname, '../bin/cabc');
const artifacts = path.resolve(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'oscal');

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * The whole way: the platform runs, a ToE is certified, passing then failing evidence arrives (the certificate is
 * suspended), `cabc oscal bundle` reads what the export needs from the APIs, and both validators accept the bundle.
 */
describe('cabc oscal bundle against the running platform', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let certified: CertifiedToe;
  let work: string;
  const fairness = {
    id: 'REQ-FAIRNESS',
    title: 'Group fairness gap within the agreed bound',
    severity: 'high',
    critical: false,
    mitigates: ['R-WRONG-DECISIONS'],
    controls: ['EU-AI-ACT:Art.10(2)(f)', 'AIC4:BI'],
    rule: {
      type: 'threshold',
      selector: { kind: 'fairness', metric: 'demographic_parity_difference' },
      operator: '<=',
      target: 0.1,
    },
  };
  const accuracy = {
    ...accuracyRequirement(0.9),
    critical: false,
    freshness: 'P7D',
    controls: ['EU-AI-ACT:Art.15(1)'],
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cabc-oscal-e2e-'));
    mkdirSync(artifacts, { recursive: true });
    platform = await startTestPlatform({ env: { certificationBody: { CERTIFICATION_GRACE_PERIOD: '7d' } } });
    certified = await certifyToe(platform, {
      org: 'acme',
      name: 'credit-scoring',
      requirements: [accuracy, fairness],
      modelSha256: 'a'.repeat(64),
    });
    const pipeline = { authorization: `Bearer ${certified.tokens.pipeline}` };
    const certificate = (state: string) =>
      waitFor(
        `certificate ${state}`,
        async () => {
          const items = (
            await getJson(
              `${platform.urls.certificationBody}/v1/certificates?toe=${certified.toeId}`,
              certified.tokens.auditeeAtCertificationBody,
            )
          ).body.items as { state: string }[];
          return items[0]?.state === state ? items[0] : undefined;
        },
        { timeoutMs: 45_000 },
      );
    const fairnessEvidence = {
      ...performanceEvidence(certified.toeId, 0),
      kind: 'fairness',
      measurements: [{ name: 'demographic_parity_difference', value: 0.04 }],
    };
    expect((await postJson(`${platform.urls.collector}/v1/evidence`, fairnessEvidence, pipeline)).status).toBe(201);
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(certified.toeId, 0.95), pipeline))
        .status,
    ).toBe(201);
    await certificate('issued');
    expect(
      (await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(certified.toeId, 0.8), pipeline))
        .status,
    ).toBe(201);
    await certificate('suspended');
  }, 240_000);
  afterAll(async () => {
    await platform?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exports a bundle NIST’s schemas and compliance-trestle accept, with the POA&M of the suspension', async () => {
    const zip = path.join(work, 'bundle.zip');
    const dir = path.join(work, 'bundle');
    const answer = await run(
      [
        'oscal',
        'bundle',
        '--toe',
        certified.toeId,
        '--assessment-url',
        platform.urls.assessment,
        '--certification-body-url',
        platform.urls.certificationBody,
        '--out',
        zip,
        '--dir',
        dir,
        '--json',
      ],
      {
        CABC_TOKEN: certified.tokens.auditor,
        CABC_CERTIFICATION_BODY_TOKEN: await platform.token('auditor', 'acme', { service: 'certification-body' }),
      },
    );
    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(0);
    const manifest = JSON.parse(answer.stdout) as BundleManifest;
    copyFileSync(zip, path.join(artifacts, 'platform-bundle.zip'));
    expect(manifest.certificate?.state).toBe('suspended');
    expect(manifest.documents.map((entry) => entry.file)).toContain('plan-of-action-and-milestones.json');
    expect(readdirSync(dir).sort()).toEqual([...manifest.documents.map((entry) => entry.file), 'manifest.json'].sort());

    const documents = new Map(
      manifest.documents.map((entry) => [entry.file, JSON.parse(readFileSync(path.join(dir, entry.file), 'utf8'))]),
    );
    for (const entry of manifest.documents) {
      expect(nistSchemaErrors(entry.model as OscalModel, documents.get(entry.file)), entry.file).toEqual([]);
    }
    const evidence = (
      await getJson(`${platform.urls.assessment}/v1/toes/${certified.toeId}/evidence`, certified.tokens.auditor)
    ).body.items;
    // trestle may hold the event loop longer than the services keep an idle connection: read the platform first.
    const report = await validateWithTrestle(zip);
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);

    // What the platform recorded is what the bundle says.
    const ar = documents.get('assessment-results.json')['assessment-results'];
    expect(ar['import-ap'].href).toBe('assessment-plan.json');
    expect(documents.get('assessment-plan.json')['assessment-plan']['import-ssp'].href).toBe(
      'system-security-plan.json',
    );
    const observations = ar.results.flatMap((result: any) => result.observations ?? []);
    expect(observations).toHaveLength(evidence.length);
    const receipts = ar['back-matter'].resources
      .filter((resource: any) => resource.base64)
      .map((resource: any) => Buffer.from(resource.base64.value, 'base64').toString());
    expect(receipts.sort()).toEqual(evidence.map((item: any) => item.receipt).sort());
    const last = ar.results.at(-1);
    expect(last.findings.map((finding: any) => finding.target['target-id'])).toEqual(['req-REQ-ACCURACY_obj']);
    const poam = documents.get('plan-of-action-and-milestones.json')['plan-of-action-and-milestones'];
    expect(poam['poam-items'].map((item: any) => item.title)).toEqual(['REQ-ACCURACY: Accuracy at least 0.9']);
    expect(Date.parse(poam.risks[0].deadline)).toBeGreaterThan(Date.now() + 6 * 86_400_000); // the 7-day grace period
  }, 300_000);

  it('the API answers the same bundle as the CLI: the zip byte for byte, each document by its file name', async () => {
    const to = new Date().toISOString();
    const dir = path.join(work, 'api-compare');
    const zip = path.join(work, 'api-compare.zip');
    const cliAnswer = await run(
      [
        'oscal',
        'bundle',
        '--toe',
        certified.toeId,
        '--assessment-url',
        platform.urls.assessment,
        '--certification-body-url',
        platform.urls.certificationBody,
        '--to',
        to,
        '--out',
        zip,
        '--dir',
        dir,
        '--json',
      ],
      {
        CABC_TOKEN: certified.tokens.auditor,
        CABC_CERTIFICATION_BODY_TOKEN: await platform.token('auditor', 'acme', { service: 'certification-body' }),
      },
    );
    expect(cliAnswer.code).toBe(0);
    const auditor = { authorization: `Bearer ${certified.tokens.auditor}` };
    const reports = `${platform.urls.assessment}/v1/toes/${certified.toeId}/reports`;
    const answer = await fetch(`${reports}/oscal-bundle?to=${encodeURIComponent(to)}`, { headers: auditor });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/zip');
    expect(answer.headers.get('content-disposition')).toContain(`${certified.toeId}-oscal-bundle-v1.zip`);
    expect(Buffer.from(await answer.arrayBuffer()).equals(readFileSync(zip))).toBe(true);

    const manifest = JSON.parse(cliAnswer.stdout) as BundleManifest;
    for (const entry of manifest.documents) {
      const document = await fetch(`${reports}/oscal/${entry.file}?to=${encodeURIComponent(to)}`, { headers: auditor });
      expect(document.status, entry.file).toBe(200);
      const text = await document.text();
      expect(text).toBe(readFileSync(path.join(dir, entry.file), 'utf8'));
      expect(nistSchemaErrors(entry.model as OscalModel, JSON.parse(text)), entry.file).toEqual([]);
    }

    const refused = await fetch(`${reports}/oscal-bundle?window=PT5M`, { headers: auditor });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as ProblemBody).errors[0]?.field).toBe('query:window');
    const unknownVersion = await fetch(`${reports}/oscal/assessment-plan.json?scopeVersion=7`, { headers: auditor });
    expect(unknownVersion.status).toBe(422);
    expect(((await unknownVersion.json()) as ProblemBody).errors[0]?.field).toBe('query:scopeVersion');
    const foreign = { authorization: `Bearer ${await platform.token('auditor', 'globex')}` };
    for (const url of [`${reports}/oscal-bundle`, `${reports}/oscal/system-security-plan.json`]) {
      const answer = await fetch(url, { headers: foreign });
      expect(answer.status, url).toBe(404);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
  }, 120_000);

  it('refuses a token of another organization and says which API answered what', async () => {
    const answer = await run(
      [
        'oscal',
        'bundle',
        '--toe',
        certified.toeId,
        '--assessment-url',
        platform.urls.assessment,
        '--out',
        path.join(work, 'x.zip'),
      ],
      { CABC_TOKEN: await platform.token('auditor', 'globex') },
    );
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(new RegExp(`GET .*/v1/toes/${certified.toeId} answered 404: no ToE`));
  });
});
