"""Push an MLflow run (metrics as `performance`, params as `model_parameters`) read through the MLflow client.

MLflow is imported when `push_run` needs it, never when this module is: `pip install mlflow` only where it is used.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from . import arguments
from ._native import json_bytes, plain
from .answers import Submission
from .client import Client, Subjects
from .errors import InvalidArgument, InvalidArgumentType

#: The run tag that names the model a run trained (`<name>@sha256:<hex>`), as the collector's MLflow poller reads it.
SUBJECT_TAG = "cabc.subject"


def _mlflow_client(tracking_uri: Optional[str]) -> Any:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as error:
        raise ImportError(
            "cabc.mlflow.push_run reads the run through the MLflow client, which is not installed: "
            "pip install mlflow (or pass mlflow_client=..., or push the runs/get JSON with Client.push_file)"
        ) from error
    return MlflowClient(tracking_uri=tracking_uri) if tracking_uri else MlflowClient()


def run_document(run: Any) -> dict[str, Any]:
    """The run in the REST `runs/get` shape the collector's `mlflow-run` adapter reads: `{"run": {info, data, ...}}`."""
    if isinstance(run, Mapping):
        document = dict(run)
    elif callable(getattr(run, "to_dictionary", None)):
        document = run.to_dictionary()
    else:
        raise InvalidArgumentType("run", f"an MLflow Run or its dictionary, got {type(run).__name__}")
    inner = document.get("run", document)
    if not isinstance(inner, Mapping) or not isinstance(inner.get("info"), Mapping):
        raise InvalidArgument("run", "not an MLflow run (no info)")
    kept = dict(inner)
    if "inputs" in kept:
        try:
            kept["inputs"] = plain(kept["inputs"], "run.inputs")
        except (InvalidArgument, InvalidArgumentType):
            # Only the dataset name comes from the inputs: a run whose inputs cannot be written keeps its metrics.
            del kept["inputs"]
    return {"run": kept}


def _tags(document: Mapping[str, Any]) -> dict[str, str]:
    tags = document["run"].get("data", {}).get("tags", {})
    if isinstance(tags, Mapping):
        return {str(key): str(value) for key, value in tags.items()}
    return {str(tag.get("key")): str(tag.get("value")) for tag in tags if isinstance(tag, Mapping)}


def push_run(
    client: Client,
    run: Union[str, Any],
    *,
    toe: str,
    subject: Subjects = None,
    tracking_uri: Optional[str] = None,
    mlflow_client: Any = None,
    idempotency_key: Optional[str] = None,
) -> Submission:
    """Pushes one MLflow run: `run` is its id (read with `MlflowClient(tracking_uri).get_run`) or a Run object.

    The subject is `subject`, else the run's `cabc.subject` tag; a run that names neither is refused before sending.
    """
    toe_id = arguments.toe(toe)
    given = arguments.subjects(subject, required=False)
    if isinstance(run, str):
        if not 1 <= len(run) <= 256 or "/" in run:
            raise InvalidArgument("run", f"{run!r} is not an MLflow run id")
        source = mlflow_client if mlflow_client is not None else _mlflow_client(tracking_uri)
        run = source.get_run(run)
    document = run_document(run)
    run_id = str(document["run"]["info"].get("run_id") or document["run"]["info"].get("run_uuid") or "run")
    if not given:
        tagged = _tags(document).get(SUBJECT_TAG)
        if tagged is None:
            raise InvalidArgument(
                "subject", f"run {run_id} has no {SUBJECT_TAG} tag: pass subject=<name>@sha256:<hex> (the model)"
            )
        given = arguments.subjects(tagged, required=True)
    return client.push_file(
        toe_id,
        json_bytes(document, "run"),
        subject=given,
        format="mlflow-run",
        filename=f"mlflow-run-{run_id}.json",
        idempotency_key=idempotency_key,
    )
