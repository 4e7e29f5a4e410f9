import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AR_FILE, buildOscalBundle, bundleZip, type OscalBundle } from '../src/index.ts';
import {
  installedTrestleVersion,
  nistSchemaErrors,
  TRESTLE_VERSION,
  validateWithTrestle,
} from '../src/validation/index.ts';
import { realisticBundleInput } from './fixtures/bundle-input.ts';
import { withChange } from './bundle-helpers.ts';

const artifacts = path.resolve(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'oscal');

/** Both validators of docs/oscal.md: NIST's published 1.1.2 schemas (ajv) and IBM's compliance-trestle. */
describe('the bundle passes NIST’s OSCAL 1.1.2 schemas and compliance-trestle', () => {
  const bundle = buildOscalBundle(realisticBundleInput());
  let work: string;
  const zipOf = (name: string, which: OscalBundle) => {
    const file = path.join(work, name);
    writeFileSync(file, bundleZip(which));
    return file;
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cabc-oscal-'));
    mkdirSync(artifacts, { recursive: true });
    // The test command prepares the virtualenv first; alone, this builds it once (pip's cache makes that quick).
    expect(await installedTrestleVersion()).toBe(TRESTLE_VERSION);
  }, 900_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('validates every document against NIST’s schema of its model', () => {
    for (const document of bundle.documents)
      expect(nistSchemaErrors(document.model, document.json), document.file).toEqual([]);
  });

  it('fails a document the schema refuses, naming where', () => {
    const broken = withChange(bundle, AR_FILE, (root) => {
      delete root.results.at(-1).findings[0].target;
      root.results[0].observations[0].collected = 'last tuesday';
    });
    const errors = nistSchemaErrors(
      'assessment-results',
      broken.documents.find((entry) => entry.file === AR_FILE)!.json,
    );
    expect(errors.join('\n')).toMatch(/findings\/0 must have required property 'target'/);
    expect(errors.join('\n')).toMatch(/observations\/0\/collected must match format "date-time"/);
  });

  it('loads, imports and validates every document with trestle, and every reference resolves', async () => {
    const file = zipOf('bundle.zip', bundle);
    writeFileSync(path.join(artifacts, 'bundle.zip'), bundleZip(bundle));
    const report = await validateWithTrestle(file);
    writeFileSync(path.join(artifacts, 'trestle-report.json'), JSON.stringify(report, null, 2));
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.checked).toEqual(bundle.documents.map((document) => document.file).sort());
    expect(report.trestle.filter((step) => step.command.startsWith('trestle import'))).toHaveLength(
      bundle.documents.length,
    );
  }, 300_000);

  it('fails, with trestle, a bundle whose references do not resolve', async () => {
    const broken = withChange(
      withChange(bundle, AR_FILE, (root) => {
        root['import-ap'].href = 'missing-plan.json';
        root.results.at(-1).findings[0].target['target-id'] = 'req-NOPE_obj';
        root.results[0].observations[0]['relevant-evidence'].splice(1, 1); // its ledger entry, linked from nowhere
      }),
      'system-security-plan.json',
      (root) => {
        root['control-implementation']['implemented-requirements'][0]['control-id'] = 'req-UNKNOWN';
      },
    );
    const report = await validateWithTrestle(zipOf('broken-references.zip', broken));
    expect(report.exitCode).toBe(1);
    const problems = report.problems.join('\n');
    expect(problems).toMatch(/assessment-results.json: missing-plan.json is not in the bundle/);
    expect(problems).toMatch(/system-security-plan.json: implemented requirement req-UNKNOWN is not in the baseline/);
    expect(problems).toMatch(/back-matter resource .* is linked from nowhere/);
  }, 300_000);

  it('fails, with trestle, a document its OSCAL models cannot load', async () => {
    const broken = withChange(bundle, AR_FILE, (root) => {
      delete root.results.at(-1).findings[0].target;
    });
    const report = await validateWithTrestle(zipOf('broken-model.zip', broken));
    expect(report.exitCode).toBe(1);
    expect(report.problems.join('\n')).toMatch(
      /assessment-results.json: trestle cannot load it as assessment-results:.*target/s,
    );
  }, 300_000);
});
