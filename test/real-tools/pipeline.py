"""A small ML pipeline that uses the real tools whose outputs CABC ingests.

Given a running MLflow tracking server, it trains a scikit-learn classifier on the breast cancer data set that ships
with scikit-learn, logs params, metrics, the evaluation data set and the model to MLflow (tagging the run with the
model's digest as `cabc.subject`), and writes a real Evidently report (data drift + classification quality) and a
real Great Expectations validation of the same evaluation data, each as the tool's own JSON output.

`--degrade` is the bad second run: the model is trained on shuffled labels (so it is no better than a guess) and the
evaluation data has drifted (a sensor recalibration scales and shifts half of the features).

Given `--collector`, `--toe` and `--token`, it then delivers the Evidently snapshot and the Great Expectations result
to the evidence collector through the CABC Python SDK (`cabc.evidently.push_report`,
`cabc.great_expectations.push_validation`), as the live objects the tools returned, with the MLflow run id as the CI
run id (idempotency keys). It starts nothing itself. The last line of stdout is a JSON summary (run id, model digest,
metrics, output files, and what the collector answered for each push).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

DATASET = "breast-cancer-holdout"
SPLIT = "test"
SEED = 17


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-uri", required=True, help="URL of a running MLflow tracking server")
    parser.add_argument("--experiment", required=True, help="MLflow experiment name (created when missing)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the tools' JSON outputs")
    parser.add_argument("--degrade", action="store_true", help="shuffled training labels and drifted evaluation data")
    parser.add_argument("--run-name", default=None)
    parser.add_argument("--collector", default=None, help="evidence collector URL: push the outputs with the SDK")
    parser.add_argument("--toe", default=None, help="the ToE the pushed evidence is about")
    parser.add_argument("--token", default=None, help="bearer token with role pipeline")
    return parser.parse_args()


def load_data(degrade: bool) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    data = load_breast_cancer(as_frame=True)
    features = data.data.rename(columns=lambda name: name.replace(" ", "_"))
    x_train, x_test, y_train, y_test = train_test_split(
        features, data.target, test_size=0.3, random_state=SEED, stratify=data.target
    )
    if degrade:
        generator = np.random.default_rng(SEED)
        # Labels that no longer belong to their rows: the model learns nothing.
        y_train = pd.Series(generator.permutation(y_train.to_numpy()), index=y_train.index, name=y_train.name)
        # Recalibrated sensors: half of the columns are scaled and shifted in the new data.
        x_test = x_test.copy()
        for column in x_test.columns[::2]:
            x_test[column] = x_test[column] * 1.6 + x_test[column].std()
    return x_train, y_train, x_test, y_test


def frame_for_tools(x: pd.DataFrame, y: pd.Series, model) -> pd.DataFrame:
    frame = x.copy()
    frame["target"] = y.to_numpy()
    frame["prediction"] = model.predict(x)
    frame["probability"] = model.predict_proba(x)[:, 1]
    return frame.reset_index(drop=True)


def evidently_report(reference: pd.DataFrame, current: pd.DataFrame, features: list[str], path: Path):
    from evidently import BinaryClassification, DataDefinition, Dataset, Report
    from evidently.presets import ClassificationPreset, DataDriftPreset

    definition = DataDefinition(
        numerical_columns=features,
        classification=[
            BinaryClassification(target="target", prediction_labels="prediction", prediction_probas="probability")
        ],
    )
    report = Report([DataDriftPreset(columns=features), ClassificationPreset()], include_tests=True)
    snapshot = report.run(
        current_data=Dataset.from_pandas(current, data_definition=definition),
        reference_data=Dataset.from_pandas(reference, data_definition=definition),
    )
    snapshot.save_json(str(path))
    return snapshot


def great_expectations_validation(current: pd.DataFrame, features: list[str], path: Path):
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("pipeline")
        .add_dataframe_asset(DATASET)
        .add_batch_definition_whole_dataframe("whole-frame")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="holdout-quality"))
    suite.add_expectation(gx.expectations.ExpectTableColumnCountToEqual(value=len(features) + 3))
    suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=100, max_value=1000))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeInSet(column="target", value_set=[0, 1]))
    for column in ("mean_radius", "mean_texture", "mean_smoothness"):
        suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=column))
    # The ranges seen in the clinical data the model was built for (the training data's, with a margin).
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(column="mean_radius", min_value=5, max_value=30)
    )
    suite.add_expectation(
        gx.expectations.ExpectColumnMeanToBeBetween(column="mean_smoothness", min_value=0.08, max_value=0.12)
    )
    suite.add_expectation(gx.expectations.ExpectColumnMeanToBeBetween(column="mean_area", min_value=500, max_value=800))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="holdout-validation", data=batch, suite=suite)
    )
    result = validation.run(batch_parameters={"dataframe": current}, result_format="SUMMARY")
    path.write_text(json.dumps(result.to_json_dict(), indent=2))
    return result


def push_with_sdk(arguments: argparse.Namespace, run_id: str, model: str, snapshot, validation) -> list[dict]:
    """The pipeline's last step: its tools' results to the collector through the CABC SDK, as the objects they are."""
    import cabc
    import cabc.evidently
    import cabc.great_expectations

    client = cabc.Client(arguments.collector, arguments.token, run_id=run_id)
    pushed = [
        ("evidently", cabc.evidently.push_report(client, snapshot, toe=arguments.toe, subject=model)),
        ("great_expectations", cabc.great_expectations.push_validation(client, validation, toe=arguments.toe, subject=model)),
    ]
    return [
        {"tool": tool, "submission": submission.id, "evidence": [{"kind": item.kind, "format": item.format} for item in submission.evidence]}
        for tool, submission in pushed
    ]


def main() -> None:
    arguments = parse_arguments()
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    arguments.out.mkdir(parents=True, exist_ok=True)
    x_train, y_train, x_test, y_test = load_data(arguments.degrade)
    features = list(x_train.columns)
    params = {"model": "logistic_regression", "C": 1.0, "max_iter": 500, "shuffled_labels": arguments.degrade}
    model = make_pipeline(StandardScaler(), LogisticRegression(C=params["C"], max_iter=params["max_iter"]))
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    probability = model.predict_proba(x_test)[:, 1]
    metrics = {
        "accuracy": accuracy_score(y_test, predicted),
        "f1": f1_score(y_test, predicted),
        "precision": precision_score(y_test, predicted, zero_division=0),
        "recall": recall_score(y_test, predicted),
        "roc_auc": roc_auc_score(y_test, probability),
    }

    mlflow.set_tracking_uri(arguments.tracking_uri)
    mlflow.set_experiment(arguments.experiment)
    evaluation = frame_for_tools(x_test, y_test, model)
    with mlflow.start_run(run_name=arguments.run_name) as run:
        mlflow.log_params({**params, "train_rows": len(x_train), "features": len(features)})
        mlflow.log_metrics(metrics)
        mlflow.log_input(mlflow.data.from_pandas(evaluation, name=DATASET, targets="target"), context=SPLIT)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(x_test, predicted),
            input_example=x_test.head(3),
            # Declared, not inferred: inferring starts a second Python that loads the model (seconds on a busy CI).
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(include_skops=True),
        )
        # The model's digest, from the artefact MLflow stored: the subject of every piece of evidence about it.
        with tempfile.TemporaryDirectory() as folder:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri, dst_path=folder))
            mlmodel = arguments.out / "MLmodel"
            mlmodel.write_bytes((local / "MLmodel").read_bytes())
            # MLflow 3 writes skops, 2.x a pickle: the MLmodel names the file either way.
            model_file = yaml.safe_load(mlmodel.read_text())["flavors"]["sklearn"]["pickled_model"]
            model_sha256 = hashlib.sha256((local / model_file).read_bytes()).hexdigest()
        mlflow.set_tag("cabc.subject", f"{model_file}@sha256:{model_sha256}")

    reference = frame_for_tools(x_train, y_train, model)
    evidently_path = arguments.out / "evidently-report.json"
    snapshot = evidently_report(reference, evaluation, features, evidently_path)
    gx_path = arguments.out / "gx-validation.json"
    validation = great_expectations_validation(evaluation, features, gx_path)
    model = f"{model_file}@sha256:{model_sha256}"
    pushed = (
        push_with_sdk(arguments, run.info.run_id, model, snapshot, validation) if arguments.collector else []
    )
    print(
        json.dumps(
            {
                "runId": run.info.run_id,
                "experimentId": run.info.experiment_id,
                "model": model,
                "metrics": metrics,
                "gxSuccess": bool(validation.success),
                "files": {"evidently": str(evidently_path), "greatExpectations": str(gx_path), "mlmodel": str(mlmodel)},
                "pushed": pushed,
            }
        )
    )


if __name__ == "__main__":
    main()
