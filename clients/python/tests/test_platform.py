"""The SDK against the running platform (collector, assessment, certification body).

Run by clients/python/tests/sdk-platform.test.ts, which starts the platform, approves the scopes of two ToEs and passes
their ids, the URLs and the tokens in CABC_TEST_* variables; without them these tests are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import pytest

import cabc
import cabc.evidently
import cabc.great_expectations
import cabc.mlflow

pytestmark = [
    pytest.mark.platform,
    pytest.mark.skipif("CABC_TEST_COLLECTOR_URL" not in os.environ, reason="needs the platform (sdk-platform.test.ts)"),
]

T = TypeVar("T")
MODEL = "model.onnx@sha256:" + "9" * 64
SAMPLE_DIRECTORIES = [
    "croissant",
    "deepchecks",
    "evidently",
    "fairness-robustness",
    "great-expectations",
    "hf-model-card",
    "mlflow-mlmodel",
    "mlflow-run",
    "model-card-toolkit",
]


def env(name: str) -> str:
    return os.environ[f"CABC_TEST_{name}"]


FIXTURES = Path(os.environ.get("CABC_TEST_FIXTURES", "."))


def get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def wait_for(what: str, probe: Callable[[], Optional[T]], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")


def pipeline(**kwargs: Any) -> cabc.Client:
    return cabc.Client(env("COLLECTOR_URL"), env("PIPELINE_TOKEN"), environ={}, **kwargs)


def assessment_evidence(toe: str) -> list[Any]:
    page = get(f"{env('ASSESSMENT_URL')}/v1/toes/{toe}/evidence?limit=200", env("AUDITOR_TOKEN"))
    return list(page["items"])


def certificate_of(toe: str) -> Optional[dict[str, Any]]:
    page = get(f"{env('CERTIFICATION_URL')}/v1/certificates?toe={toe}", env("AUDITEE_TOKEN"))
    return page["items"][0] if page["items"] else None


def compliant_posture(toe: str) -> Optional[dict[str, Any]]:
    view: dict[str, Any] = get(f"{env('ASSESSMENT_URL')}/v1/toes/{toe}/posture", env("AUDITOR_TOKEN"))
    return view if view["posture"] == "compliant" else None


def test_metrics_from_the_sdk_earn_the_certificate_and_a_degraded_run_revokes_it() -> None:
    toe = env("METRICS_TOE")
    client = pipeline(run_id="train-41")

    def push_evaluation() -> cabc.Evidence:
        return client.push_metrics(
            toe,
            "performance",
            {"accuracy": 0.95, "f1": 0.94},
            subject=MODEL,
            context={"dataset": "holdout", "split": "test"},
            observed_at="2026-11-27T09:00:00Z",
        )

    good = push_evaluation()
    [delivered] = client.wait_for_delivery(good, timeout=30)
    assert delivered.delivery.receipt is not None
    assert delivered.delivery.receipt["envelopeSha256"] == good.envelope_sha256

    posture = wait_for("a compliant posture", lambda: compliant_posture(toe))
    assert posture["requirements"][0]["status"] == "compliant"
    certificate = wait_for("the certificate", lambda: certificate_of(toe))
    status = get(f"{env('CERTIFICATION_URL')}/v1/status/{certificate['id']}", env("AUDITEE_TOKEN"))
    assert status["status"] == "good"

    # The same push again in the same run (a retried job) stores nothing new.
    again = push_evaluation()
    assert (again.id, again.replayed) == (good.id, True)

    degraded = pipeline(run_id="train-42").push_metrics(
        toe, "performance", {"accuracy": 0.71}, subject=MODEL, observed_at="2026-11-27T10:00:00Z"
    )
    client.wait_for_delivery([degraded], timeout=30)
    wait_for("the revocation", lambda: (certificate_of(toe) or {}).get("state") == "revoked")
    stored = assessment_evidence(toe)
    assert len(stored) == 2
    assert {item["kind"] for item in stored} == {"performance"}


def test_native_files_and_the_tool_helpers_reach_the_auditor() -> None:
    toe = env("FILES_TOE")
    client = pipeline(run_id="nightly-7")
    run_raw = json.loads((FIXTURES / "mlflow-run" / "run_raw.json").read_text(encoding="utf-8"))
    submissions = [
        client.push_file(toe, FIXTURES / "mlflow-mlmodel" / "MLmodel", subject=MODEL),
        client.push_files(
            toe,
            [FIXTURES / "evidently" / "test_suite.json", FIXTURES / "hf-model-card" / "README.md"],
            subject=MODEL,
        ),
        cabc.mlflow.push_run(client, run_raw, toe=toe, subject=MODEL),
        cabc.evidently.push_report(client, FIXTURES / "evidently" / "drift_report.json", toe=toe, subject=MODEL),
        cabc.great_expectations.push_validation(
            client, FIXTURES / "great-expectations" / "taxi_long.json", toe=toe, subject=MODEL
        ),
    ]
    formats = [item.format for submission in submissions for item in submission.evidence]
    assert set(formats) == {
        "mlflow-mlmodel",
        "evidently-legacy-test-suite",
        "hf-model-card",
        "mlflow-run",
        "evidently-snapshot",
        "great-expectations",
    }
    assert submissions[2].kinds == ("performance", "model_parameters")
    evidence = [item for submission in submissions for item in submission.evidence]
    delivered = client.wait_for_delivery(evidence, timeout=30)
    stored = {item["envelopeSha256"]: item for item in assessment_evidence(toe)}
    for item in delivered:
        assert item.envelope_sha256 in stored, f"{item.kind} from {item.format} is at the assessment service"
        assert stored[item.envelope_sha256]["kind"] == item.kind

    # A retried nightly job: the same files under the same run id are answered from the first push.
    replay = cabc.great_expectations.push_validation(
        client, FIXTURES / "great-expectations" / "taxi_long.json", toe=toe, subject=MODEL
    )
    assert replay.replayed and replay.id == submissions[4].id
    assert len(assessment_evidence(toe)) == len(evidence)


def test_the_collectors_problems_arrive_as_cabc_problem_and_store_nothing() -> None:
    toe = env("FILES_TOE")
    client = pipeline()
    before = [item.id for item in client.list_evidence(toe, limit=200).items]

    with pytest.raises(cabc.CabcProblem) as unknown:
        client.push_file(toe, b'{"hello": "world"}', filename="notes.json")
    assert (unknown.value.status, unknown.value.type) == (415, "https://cabc.dev/problems/unknown-format")
    assert unknown.value.fields == ("body",)

    with pytest.raises(cabc.CabcProblem) as no_subject:
        client.push_file(toe, FIXTURES / "mlflow-run" / "run_raw.json")
    assert (no_subject.value.status, no_subject.value.fields) == (422, ("subject",))

    with pytest.raises(cabc.CabcProblem) as invalid:
        client.push_file(toe, b'{"run": {"info": {"run_id": 7}, "data": {}}}', format="mlflow-run", subject=MODEL)
    assert (invalid.value.status, invalid.value.type) == (422, "https://cabc.dev/problems/invalid-content")
    assert "run_id" in str(invalid.value)

    with pytest.raises(cabc.CabcProblem) as unauthorized:
        cabc.Client(env("COLLECTOR_URL"), "not-a-token", environ={}).push_metrics(
            toe, "performance", {"accuracy": 1.0}, subject=MODEL
        )
    assert unauthorized.value.status == 401

    assert [item.id for item in client.list_evidence(toe, limit=200).items] == before


def test_python_dash_m_cabc_push_pushes_every_sample_like_the_node_cli() -> None:
    toe = env("FILES_TOE")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "cabc",
            "push",
            *[str(FIXTURES / directory) for directory in SAMPLE_DIRECTORIES],
            "--toe",
            toe,
            "--model",
            MODEL,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={
            "PATH": os.environ.get("PATH", ""),
            "CABC_COLLECTOR_URL": env("COLLECTOR_URL"),
            "CABC_TOKEN": env("PIPELINE_TOKEN"),
            "CABC_RUN_ID": "cli-run-1",
        },
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    report = json.loads(completed.stdout)
    assert report["ok"] is True
    assert {key: report["summary"][key] for key in ("files", "pushed", "rejected", "skipped")} == {
        "files": 17,
        "pushed": 17,
        "rejected": 0,
        "skipped": 0,
    }
    assert len({item["format"] for item in report["files"]}) == 11
    ids = [item["id"] for pushed in report["files"] for item in pushed["evidence"]]
    assert len(ids) == report["summary"]["evidence"] >= 11
    pipeline().wait_for_delivery(ids, timeout=60)
