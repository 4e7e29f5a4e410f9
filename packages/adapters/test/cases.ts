import type { FormatId } from '../src/index.ts';

/** Every real sample and every valid hand-made variant, with the format detection must find. */
export const sampleCases: [path: string, format: FormatId][] = [
  ['mlflow-run/run_raw.json', 'mlflow-run'],
  ['mlflow-mlmodel/MLmodel', 'mlflow-mlmodel'],
  ['evidently/report.json', 'evidently-legacy-report'],
  ['evidently/test_suite.json', 'evidently-legacy-test-suite'],
  ['evidently/drift_report.json', 'evidently-snapshot'],
  ['great-expectations/taxi_long.json', 'great-expectations'],
  ['deepchecks/deepchecks_report.json', 'deepchecks'],
  ['hf-model-card/README.md', 'hf-model-card'],
  ['model-card-toolkit/cats_vs_dogs_v0_0_2.json', 'model-card-toolkit'],
  ['croissant/metadata.json', 'croissant'],
  ['fairness-robustness/AVID-2022-R0001.json', 'avid'],
];

export const fixtureCases: [name: string, format: FormatId][] = [
  ['mlflow-run-bare-failed.json', 'mlflow-run'],
  ['mlmodel-tensor.yaml', 'mlflow-mlmodel'],
  ['evidently-report-0.4.json', 'evidently-legacy-report'],
  ['evidently-test-suite-statuses.json', 'evidently-legacy-test-suite'],
  ['evidently-snapshot-metric-name.json', 'evidently-snapshot'],
  ['gx-1x-validation.json', 'great-expectations'],
  ['deepchecks-model-evaluation-single.json', 'deepchecks'],
  ['hf-model-card-two-results.md', 'hf-model-card'],
  ['mct-v0_0_1.json', 'model-card-toolkit'],
  ['croissant-mixed-digests.json', 'croissant'],
  ['avid-robustness-measurement.json', 'avid'],
  ['cabc-robustness.json', 'cabc-robustness'],
  ['cabc-fairness.json', 'cabc-fairness'],
  ['cabc-feature-importance.json', 'cabc-feature-importance'],
];
