"""The collector's fixed vocabularies (kept equal to @cabc/contracts and @cabc/adapters by a test)."""

from __future__ import annotations

from typing import Tuple

#: The evidence kinds of the unified predicate (docs/evidence.md).
EVIDENCE_KINDS: Tuple[str, ...] = (
    "dataset",
    "data_quality",
    "model_architecture",
    "model_parameters",
    "performance",
    "evaluation",
    "fairness",
    "feature_importance",
    "explanation",
    "robustness",
    "drift",
    "model_card",
    "provenance",
)

#: The native tool-output formats the collector's adapters read (docs/adapters.md).
FORMATS: Tuple[str, ...] = (
    "mlflow-run",
    "mlflow-mlmodel",
    "evidently-legacy-report",
    "evidently-legacy-test-suite",
    "evidently-snapshot",
    "great-expectations",
    "deepchecks",
    "hf-model-card",
    "model-card-toolkit",
    "croissant",
    "avid",
    "cabc-robustness",
    "cabc-fairness",
    "cabc-feature-importance",
)

#: A check's verdicts: `error` means the check could not be evaluated (never a pass).
CHECK_STATUSES: Tuple[str, ...] = ("pass", "warn", "fail", "error")

#: Environment variables that carry a CI run id, in the order they are read (the Node CLI reads the same).
RUN_ID_VARIABLES: Tuple[str, ...] = (
    "CABC_RUN_ID",
    "GITHUB_RUN_ID",
    "CI_PIPELINE_ID",
    "BUILDKITE_BUILD_ID",
    "CIRCLE_WORKFLOW_ID",
    "BUILD_BUILDID",
    "BUILD_TAG",
)
