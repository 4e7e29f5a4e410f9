import type { EvidenceKind } from '@cabc/contracts';
import type { FormatAdapter } from './format-adapter.ts';
import type { FormatId } from './format-ids.ts';
import { avidAdapter } from './formats/avid.ts';
import { cabcFairnessAdapter } from './formats/cabc/fairness.ts';
import { cabcFeatureImportanceAdapter } from './formats/cabc/feature-importance.ts';
import { cabcRobustnessAdapter } from './formats/cabc/robustness.ts';
import { croissantAdapter } from './formats/croissant.ts';
import { deepchecksAdapter } from './formats/deepchecks.ts';
import { evidentlyLegacyReportAdapter } from './formats/evidently/legacy-report.ts';
import { evidentlyLegacyTestSuiteAdapter } from './formats/evidently/legacy-test-suite.ts';
import { evidentlySnapshotAdapter } from './formats/evidently/snapshot.ts';
import { greatExpectationsAdapter } from './formats/great-expectations.ts';
import { hfModelCardAdapter } from './formats/hf-model-card.ts';
import { inTotoAttestationAdapter } from './formats/in-toto-attestation.ts';
import { mlflowMlmodelAdapter } from './formats/mlflow-mlmodel.ts';
import { mlflowRunAdapter } from './formats/mlflow-run.ts';
import { modelCardToolkitAdapter } from './formats/model-card-toolkit.ts';
import type { Syntax } from './parsing/parsed-document.ts';

/**
 * Detection order: the first adapter whose content test matches wins. Explicit markers come first (the CABC
 * `format` field, AVID's `data_type`, Croissant's JSON-LD context), then the shapes; the Evidently snapshot comes
 * before the legacy test suite because both have `tests`.
 */
export const adapters: readonly FormatAdapter[] = [
  cabcRobustnessAdapter,
  cabcFairnessAdapter,
  cabcFeatureImportanceAdapter,
  inTotoAttestationAdapter,
  avidAdapter,
  croissantAdapter,
  mlflowRunAdapter,
  mlflowMlmodelAdapter,
  evidentlySnapshotAdapter,
  evidentlyLegacyReportAdapter,
  evidentlyLegacyTestSuiteAdapter,
  greatExpectationsAdapter,
  deepchecksAdapter,
  modelCardToolkitAdapter,
  hfModelCardAdapter,
];

export function adapterFor(format: FormatId): FormatAdapter | undefined {
  return adapters.find((adapter) => adapter.id === format);
}

export interface FormatDescription {
  id: FormatId;
  title: string;
  syntax: Syntax;
  mediaType: string;
  kinds: readonly EvidenceKind[];
  detection: string;
}

/** What each format is, how it is recognised and which evidence kinds it yields (for docs and API listings). */
export const formatDescriptions: readonly FormatDescription[] = adapters.map(
  ({ id, title, syntax, mediaType, kinds, detection }) => ({ id, title, syntax, mediaType, kinds, detection }),
);
