"""The MLflow, Evidently and Great Expectations helpers: what they send for each kind of object the tools hand out.

The tools themselves are not installed here (their real objects are exercised by the real-tools end-to-end test);
these stand-ins have exactly the methods the helpers call, and the documents are the repository's real tool outputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict
from urllib.parse import parse_qsl, urlsplit

import pytest

import cabc
import cabc.evidently
import cabc.great_expectations
import cabc.mlflow

from conftest import MODEL, Reply, ScriptedCollector, pending_submission

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "tool-outputs"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class MlflowRun:
    """What mlflow.entities.Run offers: to_dictionary() with metrics, params and tags as {key: value}."""

    def __init__(self, tags: Dict[str, str]) -> None:
        self.tags = tags

    def to_dictionary(self) -> Dict[str, Any]:
        return {
            "info": {"run_id": "3f1c", "run_uuid": "3f1c", "status": "FINISHED", "start_time": 1, "end_time": 2},
            "data": {
                "metrics": {"accuracy": 0.93, "loss": float("nan")},
                "params": {"max_depth": "4"},
                "tags": self.tags,
            },
            "inputs": {"dataset_inputs": [object()]},
        }


class MlflowClient:
    def __init__(self, run: MlflowRun) -> None:
        self.run = run
        self.asked: list[str] = []

    def get_run(self, run_id: str) -> MlflowRun:
        self.asked.append(run_id)
        return self.run


def test_the_helpers_import_no_tool() -> None:
    code = (
        "import json, sys, cabc.mlflow, cabc.evidently, cabc.great_expectations; print(json.dumps(sorted(sys.modules)))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert not {"mlflow", "evidently", "great_expectations"} & set(json.loads(completed.stdout))


def test_push_run_without_mlflow_says_what_to_install(
    collector: ScriptedCollector, client: cabc.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import mlflow...` fail as on a machine without MLflow, installed here or not.
    for module in ("mlflow", "mlflow.tracking"):
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match="pip install mlflow"):
        cabc.mlflow.push_run(client, "3f1c", toe="t", subject=MODEL)
    assert collector.received == []


def test_push_run_reads_the_run_and_sends_it_in_the_runs_get_shape(
    collector: ScriptedCollector, client: cabc.Client
) -> None:
    collector.default = Reply(201, pending_submission("performance", "model_parameters", fmt="mlflow-run"))
    source = MlflowClient(MlflowRun({"cabc.subject": MODEL}))
    submission = cabc.mlflow.push_run(client, "3f1c", toe="wine-quality", mlflow_client=source)
    assert source.asked == ["3f1c"]
    request = collector.received[0]
    sent = request.json()
    assert sent["run"]["data"]["metrics"] == {"accuracy": 0.93, "loss": None}, "NaN is 'not measured'"
    assert "inputs" not in sent["run"], "inputs that cannot be written are left out"
    assert parse_qsl(urlsplit(request.path).query) == [
        ("toe", "wine-quality"),
        ("format", "mlflow-run"),
        ("filename", "mlflow-run-3f1c.json"),
        ("model", MODEL),
    ]
    assert submission.kinds == ("performance", "model_parameters")


def test_push_run_needs_a_subject_from_the_caller_or_the_run(collector: ScriptedCollector, client: cabc.Client) -> None:
    with pytest.raises(cabc.InvalidArgument) as raised:
        cabc.mlflow.push_run(client, MlflowRun({}), toe="t")
    assert raised.value.argument == "subject" and "cabc.subject" in str(raised.value)
    with pytest.raises(cabc.InvalidArgument) as bad_tag:
        cabc.mlflow.push_run(client, MlflowRun({"cabc.subject": "model.onnx"}), toe="t")
    assert bad_tag.value.argument == "subject"
    with pytest.raises(cabc.InvalidArgument):
        cabc.mlflow.push_run(client, "runs/3f1c", toe="t", subject=MODEL, mlflow_client=MlflowClient(MlflowRun({})))
    assert collector.received == []


def test_push_run_takes_the_rest_json_as_well(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.default = Reply(201, pending_submission("performance", "model_parameters"))
    cabc.mlflow.push_run(client, fixture("mlflow-run/run_raw.json"), toe="t", subject=MODEL)
    assert collector.received[0].json() == fixture("mlflow-run/run_raw.json")


class Snapshot:
    """Evidently 0.7+: `Report.run(...)` returns a snapshot whose json() is the file the adapter reads."""

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document

    def json(self) -> str:
        return json.dumps(self.document)

    def dict(self) -> Dict[str, Any]:
        raise AssertionError("json() comes first")


class ReportDefinition:
    """Evidently 0.7+ Report before it ran: it has run(), not json()."""

    def run(self, current: Any, reference: Any) -> Snapshot:
        raise AssertionError("not called")


class LegacyReport:
    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document

    def as_dict(self) -> Dict[str, Any]:
        return self.document


def test_push_report_sends_the_snapshot_json(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.default = Reply(201, pending_submission("drift", fmt="evidently-snapshot"))
    drift = fixture("evidently/drift_report.json")
    cabc.evidently.push_report(client, Snapshot(drift), toe="t", subject=MODEL)
    request = collector.received[0]
    assert request.json() == drift
    query = dict(parse_qsl(urlsplit(request.path).query))
    assert "format" not in query, "the collector tells snapshot, legacy report and test suite apart"
    assert query["filename"] == "evidently-report.json"


def test_push_report_takes_a_legacy_report_a_dict_or_a_file(
    collector: ScriptedCollector, client: cabc.Client, tmp_path: Path
) -> None:
    collector.default = Reply(201, pending_submission("data_quality"))
    legacy = fixture("evidently/report.json")
    legacy["metrics"][0]["result"]["extra"] = float("inf")
    cabc.evidently.push_report(client, LegacyReport(legacy), toe="t", subject=MODEL)
    assert collector.received[0].json()["metrics"][0]["result"]["extra"] is None
    cabc.evidently.push_report(client, fixture("evidently/test_suite.json"), toe="t", subject=MODEL)
    cabc.evidently.push_report(client, str(FIXTURES / "evidently" / "report.json"), toe="t", subject=MODEL)
    assert collector.received[2].json() == fixture("evidently/report.json")


def test_push_report_refuses_what_is_not_a_report(collector: ScriptedCollector, client: cabc.Client) -> None:
    with pytest.raises(cabc.InvalidArgumentType, match="report.run"):
        cabc.evidently.push_report(client, ReportDefinition(), toe="t", subject=MODEL)
    with pytest.raises(cabc.InvalidArgument, match="not an Evidently report"):
        cabc.evidently.push_report(client, {"results": []}, toe="t", subject=MODEL)
    with pytest.raises(cabc.InvalidArgument) as no_subject:
        cabc.evidently.push_report(client, fixture("evidently/report.json"), toe="t", subject=None)
    assert no_subject.value.argument == "subject"
    assert collector.received == []


class ValidationResult:
    """What ExpectationSuiteValidationResult offers: to_json_dict()."""

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document

    def to_json_dict(self) -> Dict[str, Any]:
        return self.document


class CheckpointResult:
    """GX 1.x: run_results maps identifiers to validation results."""

    def __init__(self, *results: ValidationResult) -> None:
        self.run_results = {f"id-{index}": result for index, result in enumerate(results)}

    def to_json_dict(self) -> Dict[str, Any]:
        raise AssertionError("the checkpoint's own summary is not the adapter's format")


def test_push_validation_sends_the_validation_result(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.default = Reply(201, pending_submission("data_quality", fmt="great-expectations"))
    taxi = fixture("great-expectations/taxi_long.json")
    cabc.great_expectations.push_validation(client, ValidationResult(taxi), toe="t", subject=MODEL)
    request = collector.received[0]
    assert request.json() == taxi
    assert ("format", "great-expectations") in parse_qsl(urlsplit(request.path).query)


def test_a_checkpoint_with_two_validations_is_one_multipart_request(
    collector: ScriptedCollector, client: cabc.Client
) -> None:
    collector.default = Reply(201, pending_submission("data_quality", "data_quality"))
    taxi = fixture("great-expectations/taxi_long.json")
    submission = cabc.great_expectations.push_validation(
        client, CheckpointResult(ValidationResult(taxi), ValidationResult(taxi)), toe="t", subject=MODEL
    )
    assert len(collector.received) == 1
    body = collector.received[0].body
    assert body.count(b'name="file"; filename="validation-') == 2
    assert b'name="format"\r\n\r\ngreat-expectations' in body
    assert submission.kinds == ("data_quality", "data_quality")


def test_a_0x_checkpoint_dict_with_validation_result_members(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.default = Reply(201, pending_submission("data_quality"))
    taxi = fixture("great-expectations/taxi_long.json")
    checkpoint = {"run_results": {"k": {"validation_result": taxi, "actions_results": {}}}, "success": False}
    cabc.great_expectations.push_validation(client, checkpoint, toe="t", subject=MODEL)
    assert collector.received[0].json() == taxi


def test_push_validation_refuses_what_is_not_a_validation(collector: ScriptedCollector, client: cabc.Client) -> None:
    with pytest.raises(cabc.InvalidArgument, match="not a Great Expectations validation result"):
        cabc.great_expectations.push_validation(client, {"success": True}, toe="t", subject=MODEL)
    with pytest.raises(cabc.InvalidArgument, match="without run_results"):
        cabc.great_expectations.push_validation(client, {"run_results": {}}, toe="t", subject=MODEL)
    assert collector.received == []
