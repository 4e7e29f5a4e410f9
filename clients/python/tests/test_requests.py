"""What the SDK sends: the unified document, native files with their hints, multipart, Idempotency-Keys."""

from __future__ import annotations

import email.parser
import email.policy
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, List, Tuple
from urllib.parse import parse_qsl, urlsplit

import cabc
from cabc.idempotency import run_id_from_environment

from conftest import MODEL, RecordedSleep, Reply, ScriptedCollector, evidence_view, pending_submission

WHEN = datetime(2026, 12, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))


def query_of(path: str) -> List[Tuple[str, str]]:
    return parse_qsl(urlsplit(path).query)


def test_push_metrics_sends_the_unified_document(collector: ScriptedCollector, client: cabc.Client) -> None:
    evidence = client.push_metrics(
        "credit-scoring",
        "performance",
        {"accuracy": 0.93, "f1": 0.9},
        subject=MODEL,
        observed_at=WHEN,
        context={"dataset": "holdout-2026-11", "split": "test"},
        checks=[cabc.Check("calibration", "pass")],
    )
    request = collector.received[0]
    assert (request.method, request.path) == ("POST", "/v1/evidence")
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "toe": "credit-scoring",
        "subject": [{"name": "model.onnx", "digest": {"sha256": "ab" * 32}}],
        "kind": "performance",
        "producer": {"tool": "cabc-python", "toolVersion": cabc.__version__, "pipelineRunId": "run-7"},
        "observedAt": "2026-12-02T08:30:00.000Z",
        "context": {"dataset": "holdout-2026-11", "split": "test"},
        "measurements": [{"name": "accuracy", "value": 0.93}, {"name": "f1", "value": 0.9}],
        "checks": [{"name": "calibration", "status": "pass"}],
    }
    assert evidence.id == evidence_view()["id"] and evidence.delivery.status == "pending"


def test_push_evidence_takes_a_producer_units_slices_and_any_value(
    collector: ScriptedCollector, client: cabc.Client
) -> None:
    client.push_evidence(
        "credit-scoring",
        "fairness",
        subject=MODEL,
        producer=cabc.Producer("fairlearn", tool_version="0.12.0"),
        measurements=[
            cabc.Measurement("selection_rate", 0.31, slice="gender=female"),
            {"name": "demographic_parity_difference", "value": 4.2, "unit": "%"},
            cabc.Measurement("report", "ok"),
            cabc.Measurement("mitigated", False),
        ],
        observed_at="2026-12-02T09:00:00Z",
    )
    sent = collector.received[0].json()
    assert sent["producer"] == {"tool": "fairlearn", "toolVersion": "0.12.0"}
    assert sent["observedAt"] == "2026-12-02T09:00:00Z"
    assert sent["measurements"][:2] == [
        {"name": "selection_rate", "value": 0.31, "slice": "gender=female"},
        {"name": "demographic_parity_difference", "value": 4.2, "unit": "%"},
    ]
    assert "context" not in sent


def test_the_same_push_in_the_same_run_has_the_same_key(collector: ScriptedCollector, sleep: RecordedSleep) -> None:
    def push(client: cabc.Client, accuracy: float = 0.9) -> None:
        client.push_metrics("t", "performance", {"accuracy": accuracy}, subject=MODEL, observed_at=WHEN)

    in_run = cabc.Client(collector.url, "t", environ={"GITHUB_RUN_ID": "4711"}, sleep=sleep)
    push(in_run)
    push(in_run)
    push(in_run, 0.8)
    push(cabc.Client(collector.url, "t", environ={"GITHUB_RUN_ID": "4712"}, sleep=sleep))
    without_run = cabc.Client(collector.url, "t", environ={}, sleep=sleep)
    push(without_run)
    push(without_run)
    keys = [request.headers["idempotency-key"] for request in collector.received]
    assert keys[0] == keys[1], "a retried job pushes nothing twice"
    assert len({keys[0], keys[2], keys[3], keys[4], keys[5]}) == 5, "other values, another run, no run: new evidence"
    assert all(key.startswith("cabc-py-") and len(key) == 56 for key in keys)


def test_an_explicit_idempotency_key_is_sent_as_given(collector: ScriptedCollector, client: cabc.Client) -> None:
    client.push_metrics("t", "performance", {"accuracy": 1}, subject=MODEL, idempotency_key="nightly:2026-12-02")
    assert collector.received[0].headers["idempotency-key"] == "nightly:2026-12-02"


def test_the_run_id_comes_from_the_ci_in_a_fixed_order() -> None:
    assert run_id_from_environment({"CI_PIPELINE_ID": "9", "GITHUB_RUN_ID": "8"}) == "8"
    assert run_id_from_environment({"CABC_RUN_ID": "mine", "GITHUB_RUN_ID": "8"}) == "mine"
    assert run_id_from_environment({"CI_PIPELINE_ID": "  ", "BUILDKITE_BUILD_ID": "b-1"}) == "b-1"
    assert run_id_from_environment({}) is None
    assert cabc.Client("http://c", "t", environ={"CI_PIPELINE_ID": "1234"}).run_id == "1234"
    assert cabc.Client("http://c", "t", environ={"CI_PIPELINE_ID": "1234"}, run_id="given").run_id == "given"


def test_settings_come_from_the_environment() -> None:
    client = cabc.Client(environ={"CABC_COLLECTOR_URL": "https://collector.example:8443/", "CABC_TOKEN": "tok"})
    assert client.collector_url == "https://collector.example:8443"
    assert cabc.Client(environ={"CABC_TOKEN": "tok"}).collector_url == "http://127.0.0.1:8081"


def test_push_file_sends_the_bytes_untouched_with_toe_format_name_and_models(
    collector: ScriptedCollector, client: cabc.Client, tmp_path: Path
) -> None:
    content = b'{"run": {"info": {"run_id": "r1"}, "data": {}}}\n'
    run_file = tmp_path / "run_raw.json"
    run_file.write_bytes(content)
    collector.default = Reply(201, pending_submission("performance", "model_parameters", fmt="mlflow-run"))
    submission = client.push_file("credit-scoring", run_file, subject=[MODEL, "data.csv@sha256:" + "0" * 64])
    request = collector.received[0]
    assert request.body == content
    assert request.headers["content-type"] == "application/json"
    assert query_of(request.path) == [
        ("toe", "credit-scoring"),
        ("filename", "run_raw.json"),
        ("model", MODEL),
        ("model", "data.csv@sha256:" + "0" * 64),
    ]
    assert submission.kinds == ("performance", "model_parameters")
    assert submission.evidence[0].format == "mlflow-run"


def test_push_file_of_bytes_names_the_format_and_the_hint(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.default = Reply(201, pending_submission("model_architecture"))
    client.push_file("t", b"flavors: {}\n", filename="MLmodel", format="mlflow-mlmodel", subject=MODEL)
    request = collector.received[0]
    assert ("format", "mlflow-mlmodel") in query_of(request.path)
    assert ("filename", "MLmodel") in query_of(request.path)
    assert request.headers["content-type"] == "application/yaml"


def _form(request_body: bytes, content_type: str) -> Any:
    message = f"Content-Type: {content_type}\r\n\r\n".encode() + request_body
    return email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(message)


def test_push_files_sends_one_multipart_request(
    collector: ScriptedCollector, client: cabc.Client, tmp_path: Path
) -> None:
    (tmp_path / "report.json").write_bytes(b'{"metrics": []}')
    collector.default = Reply(201, pending_submission("drift", "data_quality"))
    client.push_files("credit-scoring", [tmp_path / "report.json", ("README.md", b"---\nx: 1\n---\n")], subject=MODEL)
    request = collector.received[0]
    assert request.path == "/v1/evidence"
    form = _form(request.body, request.headers["content-type"])
    parts = [(part.get_param("name", header="content-disposition"), part) for part in form.iter_parts()]
    fields = [(name, part.get_content().strip()) for name, part in parts if name != "file"]
    files = [
        (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        for name, part in parts
        if name == "file"
    ]
    assert fields == [("toe", "credit-scoring"), ("model", MODEL)]
    assert files == [
        ("report.json", "application/json", b'{"metrics": []}'),
        ("README.md", "text/markdown", b"---\nx: 1\n---\n"),
    ]


def test_wait_for_delivery_follows_until_the_receipt(
    collector: ScriptedCollector, client: cabc.Client, sleep: RecordedSleep
) -> None:
    delivered = {
        "status": "delivered",
        "attempts": 1,
        "lastError": None,
        "deliveredAt": "x",
        "receipt": {"evidenceId": 3},
    }
    collector.then(
        Reply(201, evidence_view()), Reply(200, evidence_view()), Reply(200, evidence_view(delivery=delivered))
    )
    evidence = client.push_metrics("t", "performance", {"accuracy": 1}, subject=MODEL)
    [done] = client.wait_for_delivery(evidence, interval=0.1)
    assert done.delivery.receipt == {"evidenceId": 3}
    assert [request.method for request in collector.received] == ["POST", "GET", "GET"]
    assert collector.received[1].path == f"/v1/evidence/{evidence.id}"
    assert sleep.waits == [0.1]


def test_wait_for_delivery_raises_when_the_auditor_refused(collector: ScriptedCollector, client: cabc.Client) -> None:
    rejected = {"status": "rejected", "attempts": 1, "lastError": "403 unknown-signing-key", "deliveredAt": None}
    collector.default = Reply(200, evidence_view(delivery=rejected))
    try:
        client.wait_for_delivery([evidence_view()["id"]])
    except cabc.DeliveryRejected as error:
        assert error.reason == "403 unknown-signing-key"
    else:
        raise AssertionError("DeliveryRejected expected")
