export const formats = [
  'mlflow-run',
  'mlflow-mlmodel',
  'evidently-legacy-report',
  'evidently-legacy-test-suite',
  'evidently-snapshot',
  'great-expectations',
  'deepchecks',
  'hf-model-card',
  'model-card-toolkit',
  'croissant',
  'avid',
  'cabc-robustness',
  'cabc-fairness',
  'cabc-feature-importance',
  'in-toto-attestation',
] as const;
export type FormatId = (typeof formats)[number];

export function isFormatId(value: string): value is FormatId {
  return (formats as readonly string[]).includes(value);
}
