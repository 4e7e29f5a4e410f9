// Property: every adapter, fed ≥ 500 inputs made from the real tool outputs in fixtures/tool-outputs (documents with
// values replaced, removed, inserted or duplicated, and bytes truncated, flipped or inserted), either maps them or
// throws its documented AdapterError; nothing else escapes, and no input makes it hang (the test's timeout).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapt, AdapterError, formats, type FormatId } from '@cabc/adapters';
import { fuzzParameters } from './fuzz-settings.ts';
import { byteDamage, damage, mutate, mutation } from './json-mutations.ts';

const root = path.resolve(import.meta.dirname, '../..');
const samples = (file: string) => path.join(root, 'fixtures/tool-outputs', file);
const adapterFixtures = (file: string) => path.join(root, 'packages/adapters/test/fixtures', file);

/** The real output each adapter is fuzzed from (the CABC formats have no third-party tool: the adapters' own fixture). */
const seeds: Record<FormatId, { file: string; syntax: 'json' | 'jsonl' | 'text' }> = {
  'mlflow-run': { file: samples('mlflow-run/run_raw.json'), syntax: 'json' },
  'mlflow-mlmodel': { file: samples('mlflow-mlmodel/MLmodel'), syntax: 'text' },
  'evidently-legacy-report': { file: samples('evidently/report.json'), syntax: 'json' },
  'evidently-legacy-test-suite': { file: samples('evidently/test_suite.json'), syntax: 'json' },
  'evidently-snapshot': { file: samples('evidently/drift_report.json'), syntax: 'json' },
  'great-expectations': { file: samples('great-expectations/taxi_long.json'), syntax: 'json' },
  deepchecks: { file: samples('deepchecks/deepchecks_report.json'), syntax: 'json' },
  'hf-model-card': { file: samples('hf-model-card/README.md'), syntax: 'text' },
  'model-card-toolkit': { file: samples('model-card-toolkit/cats_vs_dogs_v0_0_2.json'), syntax: 'json' },
  croissant: { file: samples('croissant/metadata.json'), syntax: 'json' },
  avid: { file: samples('fairness-robustness/AVID-2022-R0001.json'), syntax: 'json' },
  'cabc-robustness': { file: adapterFixtures('cabc-robustness.json'), syntax: 'json' },
  'cabc-fairness': { file: adapterFixtures('cabc-fairness.json'), syntax: 'json' },
  'cabc-feature-importance': { file: adapterFixtures('cabc-feature-importance.json'), syntax: 'json' },
  'in-toto-attestation': { file: samples('in-toto/gke-gce-pre.bcid-vsa.jsonl'), syntax: 'jsonl' },
};

const RUNS_PER_ADAPTER = 500;

/** Text-level damage for the YAML and Markdown outputs: lines dropped, repeated or replaced. */
const lineDamage = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom('drop', 'repeat', 'replace'), text: fc.string({ maxLength: 40 }) }),
  { minLength: 1, maxLength: 4 },
);

function damageLines(text: string, changes: { at: number; op: string; text: string }[]): string {
  const lines = text.split('\n');
  for (const change of changes) {
    const at = change.at % Math.max(lines.length, 1);
    if (change.op === 'drop') lines.splice(at, 1);
    else if (change.op === 'repeat') lines.splice(at, 0, lines[at] ?? '');
    else lines[at] = change.text;
  }
  return lines.join('\n');
}

function inputsFor(format: FormatId): fc.Arbitrary<Buffer> {
  const { file, syntax } = seeds[format];
  const bytes: Buffer = readFileSync(file);
  const byteLevel = fc
    .array(byteDamage, { minLength: 1, maxLength: 3 })
    .map((changes) => changes.reduce<Buffer>((current, change) => damage(current, change), bytes));
  if (syntax === 'text') {
    const text = bytes.toString('utf8');
    return fc.oneof(
      byteLevel,
      lineDamage.map((changes) => Buffer.from(damageLines(text, changes))),
    );
  }
  const lines = syntax === 'jsonl' ? bytes.toString('utf8').trim().split('\n') : [bytes.toString('utf8')];
  const documents = lines.map((line) => JSON.parse(line));
  const structural = fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 5 })).map(([which, changes]) => {
    const index = which % documents.length;
    const mutated = documents.map((document, at) => (at === index ? mutate(document, changes) : document));
    return Buffer.from(mutated.map((document) => JSON.stringify(document)).join('\n'));
  });
  return fc.oneof({ arbitrary: structural, weight: 3 }, { arbitrary: byteLevel, weight: 1 });
}

describe('adapters under generated and mutated tool outputs', () => {
  it('has a seed output for every format', () => {
    expect(Object.keys(seeds).sort()).toEqual([...formats].sort());
  });

  it.each([...formats])(
    '%s: maps the input or throws its AdapterError, for 500 mutated outputs',
    (format) => {
      const stats = { adapted: 0, refused: 0 };
      fc.assert(
        fc.property(inputsFor(format), fc.boolean(), (bytes, named) => {
          try {
            adapt({ bytes, filename: path.basename(seeds[format].file) }, named ? { format } : {});
            stats.adapted += 1;
          } catch (error) {
            if (!(error instanceof AdapterError)) throw error;
            stats.refused += 1;
          }
        }),
        fuzzParameters(RUNS_PER_ADAPTER),
      );
      expect(stats.adapted + stats.refused).toBeGreaterThanOrEqual(RUNS_PER_ADAPTER);
    },
    120_000,
  );
});
